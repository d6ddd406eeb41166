"""Records → their tables: ad entities, daily ad insights (spend valued in the reporting
currency at the report day's rate), search keywords and calendar events. The newest record of
a key replaces the stored one; a replayed batch writes nothing new (the loader drops repeated
event ids before this step runs)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from touchline.control.db import Database
from touchline.control.repos.fx_rates import RateBook
from touchline.domain.money import convert, stored
from touchline.domain.records import KEYS, RECORD_TYPE, RecordKind
from touchline.ingest.context import ProfileContext
from touchline.processing.conversions import ensure_rates
from touchline.processing.versions import Clock, drop_superseded, next_version, wall_clock_us
from touchline.store.base import EventStore
from touchline.store.record_tables import (
    CALENDAR_EVENTS,
    SEARCH_KEYWORDS,
    STORED_AD_ENTITY_COLUMNS,
    STORED_AD_INSIGHT_COLUMNS,
)
from touchline.store.schema import Column, arrow_schema

log = logging.getLogger(__name__)

Row = dict[str, Any]

TABLES: Final[dict[RecordKind, tuple[str, tuple[Column, ...]]]] = {
    RecordKind.AD_ENTITY: ("ad_entities", STORED_AD_ENTITY_COLUMNS),
    RecordKind.AD_INSIGHT: ("ad_insights", STORED_AD_INSIGHT_COLUMNS),
    RecordKind.SEARCH_KEYWORD: ("search_keywords", SEARCH_KEYWORDS.columns),
    RecordKind.CALENDAR_EVENT: ("calendar_events", CALENDAR_EVENTS.columns),
}
# Day columns are part of the key: compared as epoch µs text on both engines.
_DAY_KEYS: Final = frozenset({"day"})


def record_records(
    *,
    database: Database,
    store: EventStore,
    new_rows: pa.Table,
    profiles: Mapping[str, ProfileContext],
    clock: Clock = wall_clock_us,
) -> int:
    """Materialize the batch's records; returns the rows written. A malformed record is
    logged and skipped, never raised."""
    records = new_rows.filter(pc.equal(new_rows["type"], RECORD_TYPE))
    if records.num_rows == 0:
        return 0
    by_kind = _parsed(records.select(["profile_id", "name", "ts", "payload"]).to_pylist(), profiles)
    written = 0
    for kind, rows in by_kind.items():
        if kind is RecordKind.AD_INSIGHT:
            _value_spend(database, rows, profiles)
        written += _write(store, kind, rows, clock)
    return written


def _parsed(
    events: Iterable[Row], profiles: Mapping[str, ProfileContext]
) -> dict[RecordKind, list[Row]]:
    """The newest row per key of each kind (by event time, then batch order)."""
    newest: dict[RecordKind, dict[tuple[Any, ...], tuple[datetime, Row]]] = {}
    for event in events:
        try:
            kind = RecordKind(event["name"])
            if event["profile_id"] not in profiles:
                raise ValueError(f"unknown profile {event['profile_id']}")
            row = BUILDERS[kind](orjson.loads(event["payload"] or "{}"))
        except (ValueError, TypeError, KeyError, ArithmeticError) as error:
            log.warning("records: skipped a %s record: %s", event["name"], error)
            continue
        row["profile_id"] = event["profile_id"]
        key = (row["profile_id"], *(row[field] for field in KEYS[kind]))
        seen = newest.setdefault(kind, {}).get(key)
        if seen is None or seen[0] <= event["ts"]:
            newest[kind][key] = (event["ts"], row)
    return {kind: [row for _, row in rows.values()] for kind, rows in newest.items()}


def _write(store: EventStore, kind: RecordKind, rows: list[Row], clock: Clock) -> int:
    table, columns = TABLES[kind]
    with store.transaction():
        version = next_version(store, table, clock)
        for row in rows:
            row["version"] = version
        data = {c.name: [row.get(c.name) for row in rows] for c in columns}
        store.append(table, pa.table(data, schema=arrow_schema(columns)))
        drop_superseded(store, table, key_expression(kind), version)
    return len(rows)


def key_expression(kind: RecordKind) -> str:
    """The table key as one text expression (what `drop_superseded` compares)."""
    parts = ["profile_id"] + [
        f"CAST(epoch_us({field}) AS VARCHAR)" if field in _DAY_KEYS else field
        for field in KEYS[kind]
    ]
    return " || '\x1f' || ".join(parts)


def _value_spend(
    database: Database, rows: list[Row], profiles: Mapping[str, ProfileContext]
) -> None:
    """`reporting_spend` at the report day's rate; NULL when a rate is missing."""
    foreign = {r["currency"] for r in rows if r["currency"] != profiles[r["profile_id"]].currency}
    book = RateBook()
    if foreign:
        start = min(r["day"].date() for r in rows)
        targets = {profiles[r["profile_id"]].currency for r in rows}
        book = _rate_book(database, foreign | targets, start)
    for row in rows:
        target = profiles[row["profile_id"]].currency
        rate = book.rate(row["currency"], target, row["day"].date())
        row["reporting_spend"] = convert(row["spend"], rate) if rate is not None else None


def _rate_book(database: Database, currencies: set[str], start: date) -> RateBook:
    ensure_rates(database)
    with database.read() as session:
        return RateBook.load(session, currencies, start=start)


# --- one builder per kind: payload (domain/records.FIELDS) → table row ----------------------


def _text(value: Any, limit: int = 2048) -> str:
    return "" if value is None else str(value)[:limit]


def _count(value: Any) -> int:
    """Counts arrive as strings from most APIs ("1234"); negative or fractional is an error."""
    if value is None or value == "":
        return 0
    number = Decimal(str(value))
    if number < 0 or number != number.to_integral_value():
        raise ValueError(f"{value!r} is not a count")
    return int(number)


def _day(value: Any) -> datetime:
    return datetime.combine(date.fromisoformat(str(value)[:10]), datetime.min.time(), UTC)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _json(value: Any) -> str:
    if value is None:
        return "{}"
    if not isinstance(value, dict):
        raise ValueError("details and metrics must be JSON objects")
    return orjson.dumps(value).decode()


def _ad_entity(p: Row) -> Row:
    level = _text(p["level"])
    entity_id = _text(p["entity_id"])
    if not entity_id or level not in ("campaign", "ad_set", "ad"):
        raise ValueError(f"an ad entity needs an id and a level, not {level!r}")
    return {
        "platform": _text(p["platform"]), "level": level, "entity_id": entity_id,
        "name": _text(p.get("name")),
        "campaign_id": _text(p.get("campaign_id")) or (entity_id if level == "campaign" else ""),
        "ad_set_id": _text(p.get("ad_set_id")) or (entity_id if level == "ad_set" else ""),
        "status": _text(p.get("status")), "account_id": _text(p.get("account_id")),
        "details": _json(p.get("details")),
    }  # fmt: skip


def _ad_insight(p: Row) -> Row:
    entity = _ad_entity({**p, "name": "", "details": None})
    spend = stored(Decimal(str(p.get("spend") or "0")))
    if spend < 0:
        raise ValueError("spend cannot be negative")
    currency = _text(p.get("currency")).upper()
    if len(currency) != 3:
        raise ValueError(f"an insight needs its currency, not {currency!r}")
    return {
        **{k: entity[k] for k in ("platform", "level", "entity_id", "campaign_id", "ad_set_id")},
        "account_id": entity["account_id"], "day": _day(p["day"]), "spend": spend,
        "currency": currency, "impressions": _count(p.get("impressions")),
        "clicks": _count(p.get("clicks")), "reach": _count(p.get("reach")),
        "metrics": _json(p.get("metrics")),
    }  # fmt: skip


def _search_keyword(p: Row) -> Row:
    return {
        "site": _text(p["site"]), "day": _day(p["day"]), "query": _text(p["query"]),
        "page": _text(p["page"]), "country": _text(p.get("country")),
        "device": _text(p.get("device")), "clicks": _count(p.get("clicks")),
        "impressions": _count(p.get("impressions")),
        "position": float(p.get("position") or 0.0),
    }  # fmt: skip


def _calendar_event(p: Row) -> Row:
    appointment = _text(p["appointment_id"])
    if not appointment:
        raise ValueError("a calendar event needs its appointment id")
    return {
        "provider": _text(p["provider"]), "appointment_id": appointment,
        **{k: _text(p.get(k)) for k in (
            "calendar_id", "calendar_name", "status", "assigned_user", "contact_id", "title")},
        "start_at": _time(p.get("start_at")), "end_at": _time(p.get("end_at")),
    }  # fmt: skip


BUILDERS: Final[dict[RecordKind, Callable[[Row], Row]]] = {
    RecordKind.AD_ENTITY: _ad_entity,
    RecordKind.AD_INSIGHT: _ad_insight,
    RecordKind.SEARCH_KEYWORD: _search_keyword,
    RecordKind.CALENDAR_EVENT: _calendar_event,
}
