"""Small factories for the attribution tables the query layer reads (store/schema.py), appended
straight to an event store as Arrow: credits, conversions, sessions, touch rows, identity links,
ad entities and insights. Every row belongs to profile `P` unless told otherwise."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Final

import orjson
import pyarrow as pa

from touchline.domain.conversions import conversion_key
from touchline.store.base import EventStore
from touchline.store.record_tables import AD_ENTITIES, AD_INSIGHTS
from touchline.store.schema import (
    CHANNEL_WEIGHTS,
    CONVERSIONS,
    CREDIT_MODELS,
    CREDIT_ROWS,
    CREDITS,
    IDENTITY_MAP,
    SESSION_COLUMNS,
    SESSION_ENGAGEMENT_COLUMNS,
    TOUCH_ROWS,
    Column,
    ColumnType,
    arrow_schema,
)

P: Final = "p-analytics"
DAY: Final = datetime(2026, 3, 10, 15, tzinfo=UTC)
_TOUCH_KEYS: Final = itertools.count(1_000_000)  # a credit's own touch unless it names one
SESSION_TABLE_COLUMNS: Final = (*SESSION_COLUMNS, *SESSION_ENGAGEMENT_COLUMNS)
_EMPTY: Final = {
    ColumnType.TEXT: "",
    ColumnType.BOOL: False,
    ColumnType.INT32: 0,
    ColumnType.INT64: 0,
    ColumnType.UINT64: 0,
    ColumnType.FLOAT64: 0.0,
}


def row_of(columns: Sequence[Column], *layers: dict[str, Any]) -> dict[str, Any]:
    """A row with every column: empty text, zeros, NULL money and times, then each layer."""
    row: dict[str, Any] = {c.name: _EMPTY.get(c.type) for c in columns} | {"version": 1}
    for layer in layers:
        unknown = set(layer) - set(row)
        assert not unknown, f"no such columns: {sorted(unknown)}"
        row |= layer
    return row


def append(store: EventStore, table: str, columns: Sequence[Column], rows: list[Any]) -> None:
    if rows:
        schema = arrow_schema(tuple(columns))
        store.append(table, pa.Table.from_pylist(rows, schema=schema))


def credit(
    conversion_id: str,
    revenue_type: str,
    value: str | None,
    *,
    share: float = 1.0,
    shares: dict[str, float] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A row of the `credits` view with `share` under every model (or `shares` per model);
    `load` stores it as a credit row plus its touch and conversion unless those are given."""
    base = {
        "profile_id": P,
        "conversion_id": conversion_id,
        "touch_key": next(_TOUCH_KEYS),
        "touch_type": "session",
        "touch_ts": DAY,
        "conversion_ts": DAY,
        "position": 1,
        "goal_key": "payment_received" if revenue_type == "cash" else "lead_created",
        "revenue_type": revenue_type,
        "reporting_value": None if value is None else Decimal(value),
    }
    models = dict.fromkeys(CREDIT_MODELS, share) | (shares or {})
    return row_of(CREDITS.columns, base, models, fields)


def conversion(
    conversion_id: str,
    *,
    ts: datetime = DAY,
    goal_key: str = "payment_received",
    revenue_type: str = "cash",
    value: str | None = None,
    currency: str = "USD",
    reporting: str | None = "same",
    **fields: Any,
) -> dict[str, Any]:
    """`reporting="same"` values it at `value` in USD; None leaves it unconverted."""
    money: dict[str, Any] = {"value": None, "currency": "", "fx_status": "none"}
    if value is not None:
        normalized = Decimal(value) if reporting == "same" else reporting
        money = {
            "value": Decimal(value),
            "currency": currency,
            "reporting_value": None if normalized is None else Decimal(normalized),
            "fx_status": "unconverted" if normalized is None else "same",
        }
    base = {
        "profile_id": P,
        "conversion_id": conversion_id,
        "goal_key": goal_key,
        "event_name": goal_key,
        "revenue_type": revenue_type,
        "attribution_eligible": True,
        "ts": ts,
        "reporting_currency": "USD",
        "origin": "webhook:stripe",
    }
    return row_of(CONVERSIONS.columns, base, money, fields)


def session(key: int, visitor: int, at: datetime, channel: str, **fields: Any) -> dict[str, Any]:
    return row_of(
        SESSION_TABLE_COLUMNS,
        {
            "profile_id": P,
            "session_key": key,
            "visitor_key": visitor,
            "started_at": at,
            "ended_at": at,
            "events": 1,
            "pageviews": 1,
            "channel": channel,
        },
        fields,
    )


def touch_row(
    key: int, touch_type: str, at: datetime, channel: str, **fields: Any
) -> dict[str, Any]:
    return row_of(
        TOUCH_ROWS.columns,
        {"profile_id": P, "touch_key": key, "touch_type": touch_type, "ts": at, "channel": channel},
        fields,
    )


def link(kind: str, value: str, customer_id: str, *, visitor: int = 0) -> dict[str, Any]:
    return row_of(
        IDENTITY_MAP.columns,
        {
            "profile_id": P,
            "kind": kind,
            "value": value,
            "visitor_key": visitor,
            "customer_id": customer_id,
        },
    )


def channel_weight(model: str, channel: str, weight: float) -> dict[str, Any]:
    return row_of(
        CHANNEL_WEIGHTS.columns,
        {"profile_id": P, "model": model, "channel": channel, "weight": weight},
    )


def entity(
    level: str,
    entity_id: str,
    name: str,
    *,
    platform: str = "meta",
    details: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    return row_of(
        AD_ENTITIES.columns,
        {
            "profile_id": P,
            "platform": platform,
            "level": level,
            "entity_id": entity_id,
            "name": name,
            "campaign_id": entity_id if level == "campaign" else "",
            "status": "ACTIVE",
            "details": orjson.dumps(details or {}).decode(),
        },
        fields,
    )


def insight(
    level: str,
    entity_id: str,
    day: date,
    spend: str,
    *,
    platform: str = "meta",
    reporting: str | None = "same",
    **fields: Any,
) -> dict[str, Any]:
    return row_of(
        AD_INSIGHTS.columns,
        {
            "profile_id": P,
            "platform": platform,
            "level": level,
            "entity_id": entity_id,
            "day": datetime.combine(day, time(0), tzinfo=UTC),
            "spend": Decimal(spend),
            "currency": "USD",
            "reporting_spend": _reporting(spend, reporting),
        },
        fields,
    )


def _reporting(amount: str, reporting: str | None) -> Decimal | None:
    if reporting is None:
        return None
    return Decimal(amount if reporting == "same" else reporting)


def load(
    store: EventStore,
    *,
    credits: Sequence[dict[str, Any]] = (),
    conversions: Sequence[dict[str, Any]] = (),
    sessions: Sequence[dict[str, Any]] = (),
    touches: Sequence[dict[str, Any]] = (),
    links: Sequence[dict[str, Any]] = (),
    entities: Sequence[dict[str, Any]] = (),
    insights: Sequence[dict[str, Any]] = (),
    weights: Sequence[dict[str, Any]] = (),
) -> None:
    append(store, "credit_rows", CREDIT_ROWS.columns, [_narrow(c) for c in credits])
    own = _own_conversions(credits, {(c["profile_id"], c["conversion_id"]) for c in conversions})
    append(store, "conversions", CONVERSIONS.columns, [*conversions, *own])
    append(store, "sessions", SESSION_TABLE_COLUMNS, list(sessions))
    known = {(t["profile_id"], t["session_key"]) for t in sessions}
    known |= {(t["profile_id"], t["touch_key"]) for t in touches}
    append(store, "touch_rows", TOUCH_ROWS.columns, [*touches, *_own_touches(credits, known)])
    append(store, "identity_map", IDENTITY_MAP.columns, list(links))
    append(store, "ad_entities", AD_ENTITIES.columns, list(entities))
    append(store, "ad_insights", AD_INSIGHTS.columns, list(insights))
    append(store, "channel_weights", CHANNEL_WEIGHTS.columns, list(weights))


def _narrow(credit: dict[str, Any]) -> dict[str, Any]:
    key = conversion_key(credit["profile_id"], credit["conversion_id"])
    keyed = {**credit, "conversion_key": key}
    return {name: keyed[name] for name in CREDIT_ROWS.column_names}


def _own_conversions(
    credits: Iterable[dict[str, Any]], given: set[tuple[str, str]]
) -> list[dict[str, Any]]:
    """The conversion of each credit whose conversion the test did not give, from the credit's
    conversion columns."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for c in credits:
        key = (c["profile_id"], c["conversion_id"])
        if key in given or key in out:
            continue
        value = c["reporting_value"]
        out[key] = conversion(
            c["conversion_id"], ts=c["conversion_ts"], goal_key=c["goal_key"],
            revenue_type=c["revenue_type"], value=None if value is None else str(value),
            profile_id=c["profile_id"],
        )  # fmt: skip
    return list(out.values())


_TOUCH_FIELDS: Final = (
    "channel", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "campaign_id", "ad_set_id", "ad_id",
)  # fmt: skip


def _own_touches(
    credits: Iterable[dict[str, Any]], given: set[tuple[str, int]]
) -> list[dict[str, Any]]:
    """The touch of each credit whose touch the test did not give, from the credit's touch
    columns (a touch row, whatever its type: the `credits` view reads either table)."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for c in credits:
        key = (c["profile_id"], c["touch_key"])
        if key in given:
            continue
        fields = {name: c[name] for name in _TOUCH_FIELDS}
        touch = touch_row(
            c["touch_key"], c["touch_type"], c["touch_ts"], profile_id=c["profile_id"], **fields
        )
        assert out.setdefault(key, touch) == touch, f"touch {key} given two ways"
    return list(out.values())
