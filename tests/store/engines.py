"""Two-engine event-store fixtures and enriched-event factories, shared by every test area.

Reuse: in a test directory's conftest.py, `from tests.store.engines import event_store`; a test
taking `event_store` then runs on DuckDB and on chdb (migrated, empty). chdb allows one data
path per process, so the chdb stores of a test process share one session, each test getting
its own database in it.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest

from touchline.domain.visitors import visitor_key
from touchline.store import open_store
from touchline.store.base import Engine, EventStore, Sql
from touchline.store.clickhouse import close_chdb_session
from touchline.store.schema import EVENT_COLUMNS, EVENT_SCHEMA, ColumnType

ENGINES = ["duckdb", "chdb"]
T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_CHDB_PATH: list[Path] = []


def chdb_path() -> Path:
    """This process's chdb data directory (created once, removed at exit)."""
    if not _CHDB_PATH:
        _CHDB_PATH.append(Path(tempfile.mkdtemp(prefix="touchline-chdb-")))
        atexit.register(_remove_chdb_data, _CHDB_PATH[0])
    return _CHDB_PATH[0]


def _remove_chdb_data(path: Path) -> None:
    close_chdb_session()
    shutil.rmtree(path, ignore_errors=True)


def store_url(engine: str, data_dir: Path) -> str:
    """A fresh, private event store of `engine` ("duckdb" or "chdb")."""
    if engine == "duckdb":
        return f"duckdb://{data_dir / 'events.duckdb'}"
    return f"chdb://{chdb_path()}?database=t_{uuid.uuid4().hex[:12]}"


def open_test_store(engine: str, data_dir: Path) -> EventStore:
    store = open_store(store_url(engine, data_dir))
    store.migrate()
    return store


def discard(store: EventStore) -> None:
    """Close the store; a chdb test database is dropped (the session lives on)."""
    if store.engine is Engine.CLICKHOUSE:
        database = getattr(store, "database", "")
        store.execute(Sql(f"DROP DATABASE IF EXISTS {database}"))
    store.close()


@pytest.fixture(params=ENGINES)
def event_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    """A migrated, empty event store on each engine."""
    store = open_test_store(str(request.param), tmp_path)
    try:
        yield store
    finally:
        discard(store)


# --- enriched events --------------------------------------------------------------------------

_DEFAULTS: dict[ColumnType, Any] = {
    ColumnType.TEXT: "",
    ColumnType.BOOL: False,
    ColumnType.INT64: 0,
    ColumnType.INT32: 0,
    ColumnType.FLOAT64: 0.0,
    ColumnType.MONEY: None,
}


def event_row(
    *,
    profile_id: str = "prof_1",
    event_id: str | None = None,
    anonymous_id: str = "anon-1",
    ts: dt.datetime = T0,
    **fields: Any,
) -> dict[str, Any]:
    """One enriched event as the spool holds it (epoch µs timestamps, decimal-string revenue)."""
    row: dict[str, Any] = {c.name: _DEFAULTS.get(c.type) for c in EVENT_COLUMNS}
    ts_us = _micros(ts)
    row.update(
        profile_id=profile_id,
        event_id=event_id or str(uuid.uuid4()),
        type="page_view",
        name="page_view",
        ts=ts_us,
        received_at=ts_us + 50_000,
        anonymous_id=anonymous_id,
        visitor_key=visitor_key(profile_id, anonymous_id),
        url="https://example.com/",
        host="example.com",
        path="/",
        channel="Direct",
        origin="tracker",
    )
    row.update(fields)
    return row


def ndjson(rows: Sequence[dict[str, Any]]) -> bytes:
    """The spool payload of `rows` (what ingest.pipeline.encode_rows produces)."""
    return b"".join(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE) for row in rows)


def event_table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """`rows` as the Arrow table `EventStore.append("events", …)` takes."""
    columns: dict[str, list[Any]] = {c.name: [] for c in EVENT_COLUMNS}
    for row in rows:
        for column in EVENT_COLUMNS:
            value = row[column.name]
            if column.type is ColumnType.TIMESTAMP:
                value = EPOCH + dt.timedelta(microseconds=value)
            elif column.type is ColumnType.MONEY and value is not None:
                value = Decimal(value)
            columns[column.name].append(value)
    return pa.table(columns, schema=EVENT_SCHEMA)


def _micros(value: dt.datetime) -> int:
    return (value - EPOCH) // dt.timedelta(microseconds=1)
