"""Rows of the attribution tables for processing tests: sessions, conversions, identity links
and touch rows appended straight to an event store (the ingest path has its own tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa

from touchline.store.base import EventStore, Sql
from touchline.store.schema import (
    CONVERSIONS,
    IDENTITY_MAP,
    SESSION_COLUMNS,
    SESSION_ENGAGEMENT_COLUMNS,
    TOUCH_ROWS,
    Column,
    ColumnType,
    arrow_schema,
)

PROFILE = "prof_t"
T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
SESSION_TABLE = (*SESSION_COLUMNS, *SESSION_ENGAGEMENT_COLUMNS)
_EMPTY: dict[ColumnType, Any] = {
    ColumnType.TEXT: "",
    ColumnType.BOOL: False,
    ColumnType.INT64: 0,
    ColumnType.INT32: 0,
    ColumnType.UINT64: 0,
    ColumnType.FLOAT64: 0.0,
}


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def append(
    store: EventStore, table: str, columns: tuple[Column, ...], *rows: dict[str, Any]
) -> None:
    filled = [{c.name: row.get(c.name, _EMPTY.get(c.type)) for c in columns} for row in rows]
    store.append(table, pa.Table.from_pylist(filled, schema=arrow_schema(columns)))


def add_sessions(store: EventStore, *rows: dict[str, Any], version: int = 1) -> None:
    """`rows` give session_key, visitor_key, started_at and whatever else matters."""
    full = [
        {"profile_id": PROFILE, "ended_at": r["started_at"], "events": 1, "pageviews": 1,
         "channel": "Direct", "engagement_score": 50, "version": version, **r}
        for r in rows
    ]  # fmt: skip
    append(store, "sessions", SESSION_TABLE, *full)


def add_conversions(store: EventStore, *rows: dict[str, Any], version: int = 1) -> None:
    """`rows` give conversion_id, ts and who converted (visitor_key or identity_*)."""
    full = [
        {"profile_id": PROFILE, "goal_key": "payment_received", "revenue_type": "cash",
         "attribution_eligible": True, "reporting_value": Decimal("100"), "value": Decimal("100"),
         "currency": "USD", "reporting_currency": "USD", "fx_status": "same",
         "version": version, **r}
        for r in rows
    ]  # fmt: skip
    append(store, "conversions", CONVERSIONS.columns, *full)


def link(
    store: EventStore, kind: str, value: str, customer: str, *, visitor: int = 0, version: int = 1
) -> None:
    """Mirror one identifier → customer link (customer '' unlinks it), superseding the old."""
    row = {"profile_id": PROFILE, "kind": kind, "value": value, "visitor_key": visitor,
           "customer_id": customer, "version": version}  # fmt: skip
    append(store, "identity_map", IDENTITY_MAP.columns, row)
    store.execute(
        Sql(
            "DELETE FROM identity_map WHERE kind = $k AND value = $v AND version < $version",
            {"k": kind, "v": value, "version": version},
        )
    )


def add_touch_rows(store: EventStore, *rows: dict[str, Any], version: int = 1) -> None:
    full = [{"profile_id": PROFILE, "version": version, **r} for r in rows]
    append(store, "touch_rows", TOUCH_ROWS.columns, *full)


def credits_of(store: EventStore, conversion_id: str, model: str) -> list[tuple[int, float]]:
    """(touch_key, credit) of a conversion under `model`, oldest touch first."""
    rows = store.query(
        Sql(
            f"SELECT touch_key, {model} FROM credits WHERE conversion_id = $c"
            " ORDER BY touch_ts, touch_key",
            {"c": conversion_id},
        )
    )
    return [(int(key), round(float(credit), 9)) for key, credit in rows]
