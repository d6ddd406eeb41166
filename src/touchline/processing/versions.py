"""Versioned event-plane tables: append rows at a new version, then drop what they supersede;
and the watermarks derivations keep of the versions they have read."""

from __future__ import annotations

import time
from collections.abc import Callable

import pyarrow as pa

from touchline.store.base import EventStore, Sql
from touchline.store.schema import WATERMARKS, arrow_schema

Clock = Callable[[], int]  # epoch µs


def wall_clock_us() -> int:
    return time.time_ns() // 1000


def next_version(store: EventStore, table: str, clock: Clock) -> int:
    """A version above every stored one in `table`, even if the wall clock stepped back."""
    [(highest,)] = store.query(Sql(f"SELECT coalesce(max(version), 0) FROM {table}"))
    return max(clock(), int(highest) + 1)


def drop_superseded(store: EventStore, table: str, key: str, version: int) -> None:
    """Delete older rows of every key (a DuckDB expression over the table's columns) that has a
    row at `version`."""
    store.execute(
        Sql(
            f"DELETE FROM {table} WHERE version < $version AND {key} IN "
            f"(SELECT {key} FROM {table} WHERE version = $version)",
            {"version": version},
        )
    )


def watermark(store: EventStore, consumer: str, source: str) -> int:
    sql = Sql(
        "SELECT coalesce(max(version), 0) FROM watermarks"
        " WHERE consumer = $consumer AND source = $source",
        {"consumer": consumer, "source": source},
    )
    [(value,)] = store.query(sql)
    return int(value)


def advance_watermark(store: EventStore, consumer: str, source: str, version: int) -> None:
    if version <= watermark(store, consumer, source):
        return
    row = {"consumer": [consumer], "source": [source], "version": [version]}
    store.append("watermarks", pa.table(row, schema=arrow_schema(WATERMARKS.columns)))
    store.execute(
        Sql(
            "DELETE FROM watermarks WHERE consumer = $consumer AND source = $source"
            " AND version < $version",
            {"consumer": consumer, "source": source, "version": version},
        )
    )
