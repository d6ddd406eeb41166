"""Google Ads rows (REST JSON: camelCase fields, int64 as strings, zero metrics left out) →
ad entities and daily insights (pure). An ad group is an ad set; money is in micros."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final

from touchline.connectors.ad_records import AdEntity, AdInsight, known
from touchline.domain.records import AdLevel, AdPlatform

GOOGLE = AdPlatform.GOOGLE_ADS
MICROS: Final = Decimal(1_000_000)
MAX_TEXTS: Final = 15  # a responsive search ad has at most 15 headlines
Row = Mapping[str, Any]


def micros(value: Any) -> Decimal:
    return Decimal(str(value or "0")) / MICROS


def _part(row: Row, *path: str) -> Any:
    value: Any = row
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _text(row: Row, *path: str) -> str:
    value = _part(row, *path)
    return "" if value is None else str(value)


def campaign(row: Row, *, account_id: str) -> AdEntity:
    budget = _part(row, "campaignBudget", "amountMicros")
    details = {
        "channel_type": _part(row, "campaign", "advertisingChannelType"),
        "bidding_strategy_type": _part(row, "campaign", "biddingStrategyType"),
        "daily_budget": str(micros(budget)) if budget else None,
    }
    entity_id = _text(row, "campaign", "id")
    return AdEntity(
        platform=GOOGLE, level=AdLevel.CAMPAIGN, entity_id=entity_id,
        name=_text(row, "campaign", "name"), campaign_id=entity_id,
        status=_text(row, "campaign", "status"), account_id=account_id, details=known(details),
    )  # fmt: skip


def ad_group(row: Row, *, account_id: str) -> AdEntity:
    entity_id = _text(row, "adGroup", "id")
    return AdEntity(
        platform=GOOGLE, level=AdLevel.AD_SET, entity_id=entity_id,
        name=_text(row, "adGroup", "name"), campaign_id=_text(row, "campaign", "id"),
        ad_set_id=entity_id, status=_text(row, "adGroup", "status"), account_id=account_id,
        details=known({"type": _part(row, "adGroup", "type")}),
    )  # fmt: skip


def ad(row: Row, *, account_id: str) -> AdEntity:
    """An ad with its copy: headlines, descriptions and final URLs (a responsive search ad
    has no name of its own: its first headline names it)."""
    found = _part(row, "adGroupAd", "ad") or {}
    headlines = _texts(_part(found, "responsiveSearchAd", "headlines"))
    details = {
        "type": found.get("type"), "headlines": headlines,
        "descriptions": _texts(_part(found, "responsiveSearchAd", "descriptions")),
        "final_urls": [str(url) for url in found.get("finalUrls") or ()][:MAX_TEXTS],
    }  # fmt: skip
    return AdEntity(
        platform=GOOGLE, level=AdLevel.AD, entity_id=str(found.get("id") or ""),
        name=str(found.get("name") or (headlines[0] if headlines else "")),
        campaign_id=_text(row, "campaign", "id"), ad_set_id=_text(row, "adGroup", "id"),
        status=_text(row, "adGroupAd", "status"), account_id=account_id, details=known(details),
    )  # fmt: skip


def _texts(assets: Any) -> list[str]:
    return [str(a["text"]) for a in assets or () if isinstance(a, Mapping) and a.get("text")][
        :MAX_TEXTS
    ]


ENTITY_ID: Final = {
    AdLevel.CAMPAIGN: ("campaign", "id"),
    AdLevel.AD_SET: ("adGroup", "id"),
    AdLevel.AD: ("adGroupAd", "ad", "id"),
}


def insight(row: Row, *, level: AdLevel, account_id: str, currency: str) -> AdInsight:
    """A row of a daily metrics query; absent metrics are zeros (proto3 leaves them out)."""
    found = row.get("metrics") or {}
    metrics = {
        name: str(found[field])
        for field, name in (("conversions", "conversions"), ("conversionsValue",
                            "conversions_value"), ("videoViews", "video_views"))
        if found.get(field) not in (None, "")
    }  # fmt: skip
    entity_id = _text(row, *ENTITY_ID[level])
    if not entity_id:
        raise ValueError(f"a {level} metrics row without its id")
    return AdInsight(
        platform=GOOGLE, level=level, entity_id=entity_id,
        day=date.fromisoformat(_text(row, "segments", "date")),
        spend=micros(found.get("costMicros")), currency=currency,
        impressions=int(found.get("impressions") or 0), clicks=int(found.get("clicks") or 0),
        campaign_id=_text(row, "campaign", "id"),
        ad_set_id=_text(row, "adGroup", "id") if level is not AdLevel.CAMPAIGN else "",
        account_id=account_id, metrics=metrics,
    )  # fmt: skip
