"""Meta objects → ad entities and daily insights (pure). Numbers arrive as strings; budgets in
the currency's minor units (Meta's offset: 100, or 1 for zero-decimal currencies); conversions
as `actions` lists, kept in the insight's metrics as Meta reported them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final

from touchline.connectors.ad_records import AdEntity, AdInsight, known
from touchline.domain.records import AdLevel, AdPlatform

META = AdPlatform.META
LEVELS: Final = {"campaign": AdLevel.CAMPAIGN, "adset": AdLevel.AD_SET, "ad": AdLevel.AD}
# Meta's currency table: these have offset 1 (amounts in whole units); the rest offset 100.
WHOLE_UNIT_CURRENCIES: Final = frozenset(
    {"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"}
)
VIDEO_METRICS: Final = {
    "video_play_actions": "video_plays",
    "video_p25_watched_actions": "video_p25",
    "video_p50_watched_actions": "video_p50",
    "video_p75_watched_actions": "video_p75",
    "video_p100_watched_actions": "video_p100",
    "video_thruplay_watched_actions": "video_thruplays",
    "video_avg_time_watched_actions": "video_avg_seconds",
}
# Roll-ups Meta repeats beside the canonical action type with the same value.
REDUNDANT_ACTION_PREFIXES: Final = (
    "omni_", "onsite_web_app_", "onsite_web_", "web_in_store_", "web_app_in_store_",
)  # fmt: skip
MAX_ACTION_TYPES: Final = 50  # an event payload holds at most 100 keys in all
TEXT_LIMIT: Final = 1000
Row = Mapping[str, Any]


def level_of(row: Row) -> AdLevel:
    """The finest level an insights row names (an export may hold any level)."""
    if row.get("ad_id"):
        return AdLevel.AD
    if row.get("adset_id"):
        return AdLevel.AD_SET
    if row.get("campaign_id"):
        return AdLevel.CAMPAIGN
    raise ValueError("an insights row needs a campaign_id, adset_id or ad_id")


def insight(row: Row, *, level: AdLevel, account_id: str, currency: str) -> AdInsight:
    """A daily insights row (`time_increment=1`: date_start = date_stop)."""
    day = date.fromisoformat(str(row["date_start"]))
    if str(row.get("date_stop") or day) != day.isoformat():
        raise ValueError(f"a row from {day} to {row.get('date_stop')} is not one day")
    entity_id = {AdLevel.CAMPAIGN: "campaign_id", AdLevel.AD_SET: "adset_id", AdLevel.AD: "ad_id"}
    clicks = row.get("inline_link_clicks", row.get("clicks"))
    return AdInsight(
        platform=META, level=level, entity_id=str(row[entity_id[level]]), day=day,
        spend=Decimal(str(row.get("spend") or "0")),
        currency=str(row.get("account_currency") or currency).upper(),
        impressions=_count(row.get("impressions")), clicks=_count(clicks),
        reach=_count(row.get("reach")), campaign_id=str(row.get("campaign_id") or ""),
        ad_set_id=str(row.get("adset_id") or "") if level is not AdLevel.CAMPAIGN else "",
        account_id=account_of(row.get("account_id"), account_id), metrics=metrics(row),
    )  # fmt: skip


def account_of(value: Any, default: str) -> str:
    """Insights name the account by its digits; entities and the connection as act_<digits>."""
    digits = str(value or "").strip().removeprefix("act_")
    return f"act_{digits}" if digits else default


def metrics(row: Row) -> dict[str, Any]:
    """Frequency, all clicks and link clicks, video metrics and Meta's own conversion counts
    (`conversions`: action type → count), as the strings Meta sent."""
    out: dict[str, Any] = {
        name: str(row[field])
        for field, name in (("frequency", "frequency"), ("clicks", "clicks_all"),
                            ("inline_link_clicks", "link_clicks"))
        if row.get(field) not in (None, "")
    }  # fmt: skip
    for field, name in VIDEO_METRICS.items():
        total = _action_total(row.get(field))
        if total is not None:
            out[name] = total
    conversions = actions(row.get("actions"))
    if conversions:
        out["conversions"] = conversions
    return out


def actions(value: Any) -> dict[str, str]:
    """`[{"action_type": "lead", "value": "3"}, …]` → {"lead": "3", …}, without Meta's
    duplicate roll-ups, at most MAX_ACTION_TYPES types (by name)."""
    found = {
        str(item["action_type"]): str(item.get("value", "0"))
        for item in value or ()
        if isinstance(item, dict) and item.get("action_type")
        and not str(item["action_type"]).startswith(REDUNDANT_ACTION_PREFIXES)
    }  # fmt: skip
    return dict(sorted(found.items())[:MAX_ACTION_TYPES])


def _action_total(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return None
    return str(sum(Decimal(str(item.get("value") or 0)) for item in value))


def _count(value: Any) -> int:
    return int(Decimal(str(value))) if value not in (None, "") else 0


def major_units(minor: Any, currency: str) -> str | None:
    """A budget in minor units ("5000") as an amount ("50.00"); None when unset."""
    if minor in (None, "", "0"):
        return None
    offset = 1 if currency.upper() in WHOLE_UNIT_CURRENCIES else 100
    return str(Decimal(str(minor)) / offset)


def campaign(obj: Row, *, account_id: str, currency: str) -> AdEntity:
    details = {
        "objective": obj.get("objective"), "effective_status": obj.get("effective_status"),
        "daily_budget": major_units(obj.get("daily_budget"), currency),
        "lifetime_budget": major_units(obj.get("lifetime_budget"), currency),
        "bid_strategy": obj.get("bid_strategy"), "buying_type": obj.get("buying_type"),
        "start_time": obj.get("start_time"), "stop_time": obj.get("stop_time"),
        "currency": currency,
    }  # fmt: skip
    return AdEntity(
        platform=META, level=AdLevel.CAMPAIGN, entity_id=str(obj["id"]),
        name=str(obj.get("name") or ""), campaign_id=str(obj["id"]),
        status=str(obj.get("status") or ""), account_id=account_id, details=known(details),
    )  # fmt: skip


def ad_set(obj: Row, *, account_id: str, currency: str) -> AdEntity:
    details = {
        "effective_status": obj.get("effective_status"),
        "daily_budget": major_units(obj.get("daily_budget"), currency),
        "lifetime_budget": major_units(obj.get("lifetime_budget"), currency),
        "optimization_goal": obj.get("optimization_goal"),
        "billing_event": obj.get("billing_event"), "bid_strategy": obj.get("bid_strategy"),
        "start_time": obj.get("start_time"), "end_time": obj.get("end_time"),
        "targeting": targeting(obj.get("targeting")), "currency": currency,
    }  # fmt: skip
    return AdEntity(
        platform=META, level=AdLevel.AD_SET, entity_id=str(obj["id"]),
        name=str(obj.get("name") or ""), campaign_id=str(obj.get("campaign_id") or ""),
        ad_set_id=str(obj["id"]), status=str(obj.get("status") or ""), account_id=account_id,
        details=known(details),
    )  # fmt: skip


def targeting(value: Any) -> dict[str, Any] | None:
    """A summary (ages, countries, placements): the full spec nests too deep to keep."""
    if not isinstance(value, dict):
        return None
    geo = _object(value.get("geo_locations"))
    summary = {
        "age_min": value.get("age_min"), "age_max": value.get("age_max"),
        "countries": [str(c) for c in geo.get("countries") or ()][:50] or None,
        "publisher_platforms": [str(p) for p in value.get("publisher_platforms") or ()] or None,
    }  # fmt: skip
    return known(summary) or None


def ad(obj: Row, *, account_id: str) -> AdEntity:
    """An ad with its creative: thumbnail, video id, headline and body (from the creative,
    else its story spec's link or video data)."""
    creative = _object(obj.get("creative"))
    spec = _story_data(creative.get("object_story_spec"))
    details = {
        "effective_status": obj.get("effective_status"), "creative_id": creative.get("id"),
        "thumbnail_url": creative.get("thumbnail_url") or creative.get("image_url"),
        "video_id": creative.get("video_id") or spec.get("video_id"),
        "headline": _clip(creative.get("title") or spec.get("name") or spec.get("title")),
        "body": _clip(creative.get("body") or spec.get("message")),
    }  # fmt: skip
    return AdEntity(
        platform=META, level=AdLevel.AD, entity_id=str(obj["id"]),
        name=str(obj.get("name") or ""), campaign_id=str(obj.get("campaign_id") or ""),
        ad_set_id=str(obj.get("adset_id") or ""), status=str(obj.get("status") or ""),
        account_id=account_id, details=known(details),
    )  # fmt: skip


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _story_data(story: Any) -> Mapping[str, Any]:
    if not isinstance(story, dict):
        return {}
    for key in ("video_data", "link_data"):
        if isinstance(story.get(key), dict):
            return dict(story[key])
    return {}


def _clip(value: Any) -> str | None:
    return str(value)[:TEXT_LIMIT] if value else None
