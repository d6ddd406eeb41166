"""`touchline import meta-insights FILE`: the insights JSON exactly as the Marketing API returns
it (one response or a list of pages), or an Ads Manager CSV export with a daily breakdown.
Both give entities (named as the file names them) and daily insights, rolled up to the levels
the file lacks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, BinaryIO, Final

import orjson

from touchline.connectors import exports
from touchline.connectors.ad_records import AdInsight, file_records, named_id
from touchline.connectors.exports import Table, first
from touchline.connectors.meta import mapping
from touchline.domain.records import AdLevel
from touchline.errors import InvalidPayload
from touchline.ingest.protocol import RawEvent

NAME_COLUMNS: Final = {"campaign_name": "campaign", "adset_name": "adset", "ad_name": "ad"}
LEVEL_NAMES: Final = {"campaign": AdLevel.CAMPAIGN, "adset": AdLevel.AD_SET, "ad": AdLevel.AD}
DAY_COLUMNS: Final = ("Day", "Reporting starts")
CLICK_COLUMNS: Final = ("Link clicks", "Clicks (all)", "Clicks")
_SPENT: Final = re.compile(r"^Amount spent(?: \((?P<currency>[A-Z]{3})\))?$")


def import_insights(handle: BinaryIO, *, default_currency: str) -> Iterator[RawEvent]:
    raw = handle.read()
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        insights, names = _from_json(raw, default_currency)
    else:
        insights, names = _from_csv(raw, default_currency)
    return file_records(insights, names)


# --- the Marketing API's JSON ---------------------------------------------------------------


def _from_json(raw: bytes, currency: str) -> tuple[list[AdInsight], dict[str, str]]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InvalidPayload(f"the file is not JSON: {error}") from None
    pages = body if isinstance(body, list) else [body]
    if not all(isinstance(page, dict) and isinstance(page.get("data"), list) for page in pages):
        raise InvalidPayload('expected the insights response: {"data": [...], "paging": ...}')
    insights, names = [], {}
    for number, row in enumerate((r for page in pages for r in page["data"]), 1):
        try:
            insights.append(_json_row(row, currency))
        except (KeyError, ValueError, TypeError, ArithmeticError) as error:
            raise InvalidPayload(f"data row {number}: {error!r}") from None
        names.update(_json_names(row))
    return insights, names


def _json_row(row: Any, currency: str) -> AdInsight:
    if not isinstance(row, dict):
        raise TypeError("an insights row is an object")
    account = mapping.account_of(row.get("account_id"), "")
    return mapping.insight(row, level=mapping.level_of(row), account_id=account, currency=currency)


def _json_names(row: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for column, level in NAME_COLUMNS.items():
        entity_id = row.get(f"{level}_id")
        if entity_id and row.get(column):
            out[f"{LEVEL_NAMES[level].value}:{entity_id}"] = str(row[column])
    return out


# --- Ads Manager's CSV export ---------------------------------------------------------------


def _from_csv(raw: bytes, default_currency: str) -> tuple[list[AdInsight], dict[str, str]]:
    table = exports.read_table(raw, required=[("Campaign name", "Campaign ID"), DAY_COLUMNS])
    spend_column, currency = _spend_column(table, default_currency)
    level = _csv_level(table)
    insights, names = [], {}
    for line, row in table.rows:
        if not (row.get("Campaign name") or row.get("Campaign ID")):
            continue  # a summary row
        try:
            found, found_names = _csv_row(row, level, spend_column, currency)
        except (KeyError, ValueError, ArithmeticError) as error:
            raise InvalidPayload(f"line {line}: {error}") from None
        insights.append(found)
        names.update(found_names)
    return insights, names


def _spend_column(table: Table, default_currency: str) -> tuple[str, str]:
    """'Amount spent (EUR)' names the account's currency; a bare 'Amount spent' is in the
    profile's currency unless a Currency column says otherwise."""
    for column in table.header:
        match = _SPENT.match(column)
        if match:
            return column, match.group("currency") or default_currency.upper()
    raise InvalidPayload('the export has no "Amount spent (…)" column')


def _csv_level(table: Table) -> AdLevel:
    if table.has("Ad name", "Ad ID"):
        return AdLevel.AD
    if table.has("Ad set name", "Ad set ID"):
        return AdLevel.AD_SET
    return AdLevel.CAMPAIGN


def _csv_row(
    row: Mapping[str, str], level: AdLevel, spend_column: str, currency: str
) -> tuple[AdInsight, dict[str, str]]:
    campaign = _id(row, "Campaign ID", row.get("Campaign name", ""))
    ad_set = _id(row, "Ad set ID", campaign, row.get("Ad set name", ""))
    ad = _id(row, "Ad ID", ad_set, row.get("Ad name", ""))
    entity = {AdLevel.CAMPAIGN: campaign, AdLevel.AD_SET: ad_set, AdLevel.AD: ad}[level]
    insight = AdInsight(
        platform=mapping.META, level=level, entity_id=entity, day=_day(row),
        spend=exports.number(row.get(spend_column, "")),
        currency=(row.get("Currency") or currency).upper(),
        impressions=exports.count(row.get("Impressions", "")),
        clicks=exports.count(first(row, *CLICK_COLUMNS)), reach=exports.count(row.get("Reach", "")),
        campaign_id=campaign, ad_set_id=ad_set if level is not AdLevel.CAMPAIGN else "",
        metrics=_csv_metrics(row),
    )  # fmt: skip
    names = {
        f"{AdLevel.CAMPAIGN.value}:{campaign}": row.get("Campaign name", ""),
        f"{AdLevel.AD_SET.value}:{ad_set}": row.get("Ad set name", ""),
        f"{AdLevel.AD.value}:{ad}": row.get("Ad name", ""),
    }
    return insight, {key: name for key, name in names.items() if name}


def _id(row: Mapping[str, str], column: str, *names: str) -> str:
    """The exported id, else one made from the names."""
    return row.get(column) or named_id(*names)


def _day(row: Mapping[str, str]) -> date:
    if row.get("Day"):
        return exports.day(row["Day"])
    start = exports.day(row["Reporting starts"])
    if row.get("Reporting ends") and exports.day(row["Reporting ends"]) != start:
        raise ValueError("rows span several days: export with Breakdown → By time → Day")
    return start


def _csv_metrics(row: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, name in (("Frequency", "frequency"), ("Clicks (all)", "clicks_all"),
                         ("Link clicks", "link_clicks")):  # fmt: skip
        if row.get(column):
            out[name] = str(exports.number(row[column]))
    indicator = row.get("Result indicator", "").removeprefix("actions:")
    if indicator and row.get("Results"):
        out["conversions"] = {indicator: str(exports.number(row["Results"]))}
    return out
