"""Touches that are not sessions: synthetic touches for conversions that carry campaign data but
have no web touch before them (CHECKLIST §3.5), and impression touches (view-through, §9 #28).

Synthetic touches are idempotent (one per conversion, keyed by a hash of it), carry no session
data and are never traffic: they live in `touch_rows`, not `sessions`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Final

import pyarrow as pa

from touchline.domain.attribution.touches import IMPRESSION, SYNTHETIC, SYNTHETIC_ENGAGEMENT_FLOOR
from touchline.domain.channels import VisitSource, classify
from touchline.ingest.context import ProfileContext
from touchline.ingest.enrich.sources import default_source_table
from touchline.processing import credit_queries as q
from touchline.processing.conversions import json_object
from touchline.processing.versions import (
    Clock,
    advance_watermark,
    next_version,
    wall_clock_us,
    watermark,
)
from touchline.store.base import EventStore, Sql
from touchline.store.schema import TOUCH_ROWS, arrow_schema

SCHEMA = arrow_schema(TOUCH_ROWS.columns)
CONSUMER: Final = "touches"
AD_ID_FIELDS: Final = ("ad_id", "ad_set_id", "campaign_id")  # most specific first
PLATFORM_SOURCES: Final = {"meta": "facebook", "google_ads": "google"}
PLATFORMS_OF: Final = """SELECT DISTINCT entity_id, platform FROM ad_entities
WHERE profile_id = $profile AND list_contains($ids, entity_id)
ORDER BY entity_id, platform"""
CAMPAIGN_DATA: Final = (
    "(f.campaign_id <> '' OR f.ad_set_id <> '' OR f.ad_id <> '' OR f.utm_campaign <> ''"
    " OR f.click_id <> '')"
)

NEEDS_SYNTHETIC: Final = f"""WITH {q.PERSON_KEYS},
fresh AS (
  SELECT f.*, {q.person_key("f")} AS person FROM conversions f
  {q.key_joins("f")}
  WHERE f.profile_id = $profile AND f.version > $since AND f.refund_of = '' AND {CAMPAIGN_DATA}
),
web AS (
  SELECT coalesce(nullif(kv.person, 0), s.visitor_key) AS person, min(s.started_at) AS first_web
  FROM sessions s LEFT JOIN key_visitors kv ON kv.linked_key = s.visitor_key
  WHERE s.profile_id = $profile AND s.pageviews + s.interactions > 0
    AND s.visitor_key IN (SELECT linked_key FROM key_visitors WHERE person IN
      (SELECT person FROM fresh) UNION ALL SELECT person FROM fresh)
  GROUP BY coalesce(nullif(kv.person, 0), s.visitor_key)
)
SELECT f.conversion_id, f.ts, f.visitor_key, f.identity_kind, f.identity_value, f.utm_source,
       f.utm_medium, f.utm_campaign, f.utm_content, f.utm_term, f.campaign_id, f.ad_set_id,
       f.ad_id, f.click_id_type, f.click_id
FROM fresh f LEFT JOIN web w ON w.person = f.person
WHERE coalesce(w.person, 0) = 0 OR w.first_web > f.ts"""
"""New conversions with campaign data whose person had no web visit at or before them (only
the sessions of those persons' visitors are read; an outer join's miss is NULL on DuckDB and 0
on ClickHouse: both read as "no visit")."""


def update_touches(
    *,
    store: EventStore,
    new_rows: pa.Table | None = None,
    profiles: Mapping[str, ProfileContext],
    clock: Clock = wall_clock_us,
) -> int:
    """Add synthetic touches for new conversions and impression touches from the batch;
    returns the touch rows written."""
    rows: list[dict[str, Any]] = []
    marks: dict[str, int] = {}
    for profile_id in _profiles_with_conversions(store):
        since = watermark(store, CONSUMER, profile_id)
        found, newest = _synthetic(store, profile_id, since)
        rows += found
        if newest > since:
            marks[profile_id] = newest
    if new_rows is not None:
        rows += _impressions(new_rows, profiles)
    with store.transaction():
        if rows:
            version = next_version(store, "touch_rows", clock)
            for row in rows:
                row["version"] = version
            store.append("touch_rows", pa.Table.from_pylist(rows, schema=SCHEMA))
            _drop_repeats(store, version)
        for profile_id, newest in marks.items():
            advance_watermark(store, CONSUMER, profile_id, newest)
    return len(rows)


def _synthetic(store: EventStore, profile_id: str, since: int) -> tuple[list[dict[str, Any]], int]:
    [(newest,)] = store.query(
        Sql(
            "SELECT coalesce(max(version), 0) FROM conversions WHERE profile_id = $p",
            {"p": profile_id},
        )
    )
    if int(newest) <= since:
        return [], int(newest)
    params = {"profile": profile_id, "since": since}
    found = store.query_arrow(Sql(NEEDS_SYNTHETIC, params)).to_pylist()
    existing = _existing_keys(store, profile_id)
    platforms = _platforms(store, profile_id, found)
    rows = []
    for conversion in found:
        key = touch_key(profile_id, "synthetic:" + conversion["conversion_id"])
        if key not in existing:
            rows.append(_synthetic_row(profile_id, key, conversion, platforms))
    return rows, int(newest)


def _platforms(
    store: EventStore, profile_id: str, conversions: list[dict[str, Any]]
) -> dict[str, str]:
    """The synced ad platform ("meta", "google_ads") of each ad id the conversions carry."""
    ids = sorted({c[n] for c in conversions for n in AD_ID_FIELDS if c[n]})
    if not ids:
        return {}
    rows = store.query(Sql(PLATFORMS_OF, {"profile": profile_id, "ids": ids}))
    return {str(entity_id): str(platform) for entity_id, platform in rows}


def _synthetic_row(
    profile_id: str, key: int, c: dict[str, Any], platforms: Mapping[str, str]
) -> dict[str, Any]:
    ad_ids = [c[n] for n in AD_ID_FIELDS if c[n]]
    # Ad ids mean an ad was clicked: paid, whatever the CRM left out of the UTMs.
    visit = VisitSource(
        utm_source=c["utm_source"] or _platform_source(ad_ids, platforms),
        utm_medium=c["utm_medium"] or ("paid" if ad_ids else ""),
        click_id_type=c["click_id_type"] or "",
    )
    return {
        "profile_id": profile_id, "touch_key": key, "touch_type": SYNTHETIC, "ts": c["ts"],
        "visitor_key": c["visitor_key"], "identity_kind": c["identity_kind"],
        "identity_value": c["identity_value"],
        "channel": classify(visit, default_source_table()).value,
        **{n: c[n] or "" for n in ("utm_source", "utm_medium", "utm_campaign", "utm_content",
                                    "utm_term", "campaign_id", "ad_set_id", "ad_id",
                                    "click_id_type", "click_id")},
        "engagement_score": SYNTHETIC_ENGAGEMENT_FLOOR, "conversion_id": c["conversion_id"],
    }  # fmt: skip


def _platform_source(ad_ids: list[str], platforms: Mapping[str, str]) -> str:
    """The source of a conversion without `utm_source`: the platform of its synced ad entity,
    else Meta for bare ad ids (a Meta lead form through the CRM, the usual way a conversion
    arrives with ad ids and nothing else). A click id needs none: it decides the channel
    before the source is looked at (CHECKLIST §9 #6)."""
    for ad_id in ad_ids:
        if platforms.get(ad_id) in PLATFORM_SOURCES:
            return PLATFORM_SOURCES[platforms[ad_id]]
    return "facebook" if ad_ids else ""


def _impressions(
    new_rows: pa.Table, profiles: Mapping[str, ProfileContext]
) -> list[dict[str, Any]]:
    out = []
    for event in new_rows.filter(pa.compute.equal(new_rows["type"], IMPRESSION)).to_pylist():
        payload = json_object(event["payload"])
        campaign = {
            n: str(payload.get(n) or "")[:200] for n in ("campaign_id", "ad_set_id", "ad_id")
        }
        utm = {n: str(payload.get(n) or event.get(n) or "")[:500] for n in
               ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")}  # fmt: skip
        if (
            not (any(campaign.values()) or utm["utm_campaign"])
            or event["profile_id"] not in profiles
        ):
            continue
        visit = VisitSource(utm_source=utm["utm_source"], utm_medium=utm["utm_medium"] or "paid")
        out.append({
            "profile_id": event["profile_id"],
            "touch_key": touch_key(event["profile_id"], "impression:" + event["event_id"]),
            "touch_type": IMPRESSION, "ts": event["ts"], "visitor_key": event["visitor_key"],
            "identity_kind": "", "identity_value": "",
            "channel": str(payload.get("channel") or classify(visit, default_source_table()).value),
            **utm, **campaign, "click_id_type": "", "click_id": "",
            "engagement_score": 0, "conversion_id": "",
        })  # fmt: skip
    return out


def touch_key(profile_id: str, identity: str) -> int:
    digest = hashlib.blake2b(f"{profile_id}\x1f{identity}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") or 1


def _existing_keys(store: EventStore, profile_id: str) -> set[int]:
    rows = store.query(
        Sql(
            "SELECT touch_key FROM touch_rows WHERE profile_id = $p AND touch_type = 'synthetic'",
            {"p": profile_id},
        )
    )
    return {int(r[0]) for r in rows}


def _drop_repeats(store: EventStore, version: int) -> None:
    """A replayed impression keeps one row (same key, newest version)."""
    store.execute(
        Sql(
            "DELETE FROM touch_rows WHERE version < $version AND CAST(touch_key AS VARCHAR) IN"
            " (SELECT CAST(touch_key AS VARCHAR) FROM touch_rows WHERE version = $version)",
            {"version": version},
        )
    )


def _profiles_with_conversions(store: EventStore) -> list[str]:
    return sorted(
        str(r[0]) for r in store.query(Sql("SELECT DISTINCT profile_id FROM conversions"))
    )
