"""`touchline import google-ads FILE`: a Google Ads report export (CSV or the UTF-16 "Excel"
flavour) with a Day column — title rows above the header and "Total: …" rows are skipped —
at campaign, ad-group or ad level, rolled up to the levels it lacks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, Final

from touchline.connectors import exports
from touchline.connectors.ad_records import AdInsight, file_records, named_id
from touchline.connectors.exports import Table, first
from touchline.connectors.google_ads.mapping import GOOGLE
from touchline.domain.records import AdLevel
from touchline.errors import InvalidPayload
from touchline.ingest.protocol import RawEvent

IMPRESSION_COLUMNS: Final = ("Impr.", "Impressions")
METRIC_COLUMNS: Final = {"Conversions": "conversions", "Conv. value": "conversions_value",
                         "Views": "video_views"}  # fmt: skip


def import_report(handle: BinaryIO, *, default_currency: str) -> Iterator[RawEvent]:
    table = exports.read_table(
        handle.read(), required=[("Campaign", "Campaign ID"), ("Day",), ("Cost",)]
    )
    level = _level(table)
    insights: list[AdInsight] = []
    names: dict[str, str] = {}
    for line, row in table.rows:
        try:
            found, found_names = _row(row, level, default_currency)
        except (KeyError, ValueError, ArithmeticError) as error:
            raise InvalidPayload(f"line {line}: {error}") from None
        insights.append(found)
        names.update(found_names)
    return file_records(insights, names)


def _level(table: Table) -> AdLevel:
    if table.has("Ad ID"):
        return AdLevel.AD
    if table.has("Ad group", "Ad group ID"):
        return AdLevel.AD_SET
    return AdLevel.CAMPAIGN


def _row(
    row: Mapping[str, str], level: AdLevel, default_currency: str
) -> tuple[AdInsight, dict[str, str]]:
    campaign = row.get("Campaign ID") or named_id(row.get("Campaign", ""))
    ad_group = row.get("Ad group ID") or named_id(campaign, row.get("Ad group", ""))
    ad = row.get("Ad ID", "")
    entity = {AdLevel.CAMPAIGN: campaign, AdLevel.AD_SET: ad_group, AdLevel.AD: ad}[level]
    if not entity:
        raise ValueError(f"the row names no {level.value.replace('_', ' ')}")
    insight = AdInsight(
        platform=GOOGLE, level=level, entity_id=entity, day=exports.day(row["Day"]),
        spend=exports.number(row.get("Cost", "")),
        currency=(row.get("Currency code") or default_currency).upper(),
        impressions=exports.count(first(row, *IMPRESSION_COLUMNS)),
        clicks=exports.count(row.get("Clicks", "")), campaign_id=campaign,
        ad_set_id=ad_group if level is not AdLevel.CAMPAIGN else "",
        account_id=exports.first(row, "Customer ID", "Account ID").replace("-", ""),
        metrics=_metrics(row),
    )  # fmt: skip
    names = {
        f"{AdLevel.CAMPAIGN.value}:{campaign}": row.get("Campaign", ""),
        f"{AdLevel.AD_SET.value}:{ad_group}": row.get("Ad group", ""),
        f"{AdLevel.AD.value}:{ad}": row.get("Ad", "") or row.get("Headline 1", ""),
    }
    return insight, {key: name for key, name in names.items() if name and not key.endswith(":")}


def _metrics(row: Mapping[str, str]) -> dict[str, Any]:
    return {
        name: str(exports.number(row[column]))
        for column, name in METRIC_COLUMNS.items()
        if row.get(column) not in (None, "", "--")
    }
