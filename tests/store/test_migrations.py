"""Event-plane migrations: numbered, applied once, each operation working on both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from tests.store.engines import ENGINES, discard, store_url

from touchline.domain.conversions import conversion_key
from touchline.store import migrations, open_store
from touchline.store.base import Engine, EventStore, Sql
from touchline.store.clickhouse import ClickHouseStore
from touchline.store.duckdb import DuckDBStore
from touchline.store.migrations import AddColumn, CreateTable, Migratable, Migration, RunSql
from touchline.store.schema import (
    CONVERSIONS,
    CREDIT_MODELS,
    CREDIT_ROWS_6,
    CREDITS,
    EVENT_COLUMNS,
    EVENT_ROWS,
    SESSION_COLUMNS,
    SESSION_ENGAGEMENT_COLUMNS,
    Column,
    ColumnType,
    Table,
    arrow_schema,
)

NOTES = Table(
    name="notes",
    columns=(Column("id", ColumnType.INT64), Column("body", ColumnType.TEXT)),
    sort_key=("id",),
)


def _engine(store: EventStore) -> Migratable:
    assert isinstance(store, DuckDBStore | ClickHouseStore)
    return store


def test_migration_numbers_are_unique_and_ascending() -> None:
    numbers = [m.number for m in migrations.MIGRATIONS]

    assert numbers == sorted(set(numbers))


def test_applying_twice_changes_nothing(event_store: EventStore) -> None:
    assert migrations.apply(_engine(event_store)) == []  # the fixture migrated already


def test_a_new_migration_applies_alone_and_its_operations_work(event_store: EventStore) -> None:
    added = [
        *migrations.MIGRATIONS,
        Migration(900, "notes", (CreateTable(NOTES),)),
        Migration(901, "notes author", (AddColumn("notes", Column("author", ColumnType.TEXT)),)),
        Migration(902, "first note", (RunSql("INSERT INTO notes VALUES (1, 'hello', 'ann')"),)),
    ]

    assert migrations.apply(_engine(event_store), added) == [900, 901, 902]
    assert migrations.apply(_engine(event_store), added) == []
    assert event_store.query(Sql("SELECT id, body, author FROM notes")) == [(1, "hello", "ann")]


def test_sort_keys_come_from_the_tables_and_views() -> None:
    assert migrations.sort_key("events") == EVENT_ROWS.sort_key
    assert migrations.sort_key("spool_checkpoints") == ("segment",)
    assert migrations.sort_key("nothing") == ()
    assert migrations.sort_key("credit_rows") == ("profile_id", "conversion_key", "touch_key")


@pytest.mark.parametrize("engine", ENGINES)
def test_migration_6_keeps_the_wide_credits_as_narrow_rows_behind_a_view(
    engine: str, tmp_path: Path
) -> None:
    with _store_through(engine, tmp_path, 5) as store:
        at = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
        shares = dict.fromkeys(CREDIT_MODELS, 0.25)
        _append(store, "sessions", SESSION_COLUMNS, session_key=7, started_at=at,
                ended_at=at, channel="Email", utm_source="news")  # fmt: skip
        _append(store, "conversions", CONVERSIONS.columns, conversion_id="pay", ts=at,
                revenue_type="cash", reporting_value=Decimal("40"))  # fmt: skip
        _append(store, "credits", CREDITS.columns, conversion_id="pay", touch_key=7,
                touch_ts=at, conversion_ts=at, position=1, **shares)  # fmt: skip

        assert migrations.apply(_engine(store), migrations.MIGRATIONS[:6]) == [6]

        columns = "conversion_id, touch_key, channel, utm_source, revenue_type, linear"
        assert store.query(Sql(f"SELECT {columns} FROM credits")) == [
            ("pay", 7, "Email", "news", "cash", 0.25)
        ]
        assert store.query(Sql("SELECT count(*) FROM credit_rows")) == [(1,)]


@pytest.mark.parametrize("engine", ENGINES)
def test_migration_7_keys_conversions_and_credit_rows_by_integer(
    engine: str, tmp_path: Path
) -> None:
    with _store_through(engine, tmp_path, 6) as store:
        at = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
        _append(store, "sessions", SESSION_COLUMNS, session_key=7, started_at=at,
                ended_at=at, channel="Email")  # fmt: skip
        _append(store, "conversions", CONVERSIONS.columns, conversion_id="pay", ts=at,
                revenue_type="cash", reporting_value=Decimal("40"))  # fmt: skip
        _forget_conversion_keys(_engine(store))  # as a store written before migration 7
        _append(store, "credit_rows", CREDIT_ROWS_6.columns, conversion_id="pay", touch_key=7,
                position=1, **dict.fromkeys(CREDIT_MODELS, 0.5))  # fmt: skip

        assert migrations.apply(_engine(store), migrations.MIGRATIONS[:7]) == [7]

        key = conversion_key("p", "pay")
        assert store.query(Sql("SELECT conversion_id, conversion_key FROM conversions")) == [
            ("pay", key)
        ]
        assert store.query(Sql("SELECT conversion_key, touch_key FROM credit_rows")) == [(key, 7)]
        columns = "conversion_id, touch_key, channel, revenue_type, linear"
        assert store.query(Sql(f"SELECT {columns} FROM credits")) == [
            ("pay", 7, "Email", "cash", 0.5)
        ]


@pytest.mark.parametrize("engine", ENGINES)
def test_migration_8_gives_sessions_their_neighbours_and_visits_their_pages(
    engine: str, tmp_path: Path
) -> None:
    with _store_through(engine, tmp_path, 7) as store:
        day = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
        starts = [day, day + dt.timedelta(hours=2), day + dt.timedelta(days=3)]
        columns = (*SESSION_COLUMNS, *SESSION_ENGAGEMENT_COLUMNS)
        for n, at in enumerate(reversed(starts)):  # visitor 5's three sessions, newest first
            _append(store, "sessions", columns, session_key=10 + n, visitor_key=5,
                    started_at=at, ended_at=at + dt.timedelta(minutes=10), pageviews=2)  # fmt: skip
        _append(store, "sessions", columns, session_key=20, visitor_key=6, started_at=day,
                ended_at=day + dt.timedelta(minutes=5), pageviews=1, bounced=True)  # fmt: skip
        views = [
            (5, starts[0], "/a"),
            (5, starts[0] + dt.timedelta(minutes=9), "/a"),
            (5, starts[1], "/b"),
            (6, day, "/a"),
            (6, day + dt.timedelta(hours=1), "/c"),
        ]
        for n, (visitor, ts, path) in enumerate(views):
            _append(store, "events", EVENT_COLUMNS, event_id=f"e{n}", visitor_key=visitor, ts=ts,
                    received_at=ts, type="page_view", path=path, origin="tracker")  # fmt: skip

        assert migrations.apply(_engine(store), migrations.MIGRATIONS[:8]) == [8]

        us = [int(at.timestamp() * 1_000_000) for at in starts]
        adjacency = "SELECT visitor_key, previous_start_us, next_start_us FROM sessions"
        assert sorted(store.query(Sql(adjacency))) == [
            (5, 0, us[1]), (5, us[0], us[2]), (5, us[1], 0), (6, 0, 0)
        ]  # fmt: skip
        pages = "SELECT visitor_key, started_at, path, views, bounced FROM session_pages"
        assert sorted(store.query(Sql(pages))) == [
            (5, starts[0], "/a", 2, False), (5, starts[1], "/b", 1, False), (6, day, "/a", 1, True)
        ]  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
def test_migration_9_gives_conversions_a_checkout_ref_and_keeps_their_rows(
    engine: str, tmp_path: Path
) -> None:
    with _store_through(engine, tmp_path, 8) as store:
        _drop_checkout_ref(_engine(store))  # as a store created before migration 9
        at = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
        before = tuple(c for c in CONVERSIONS.columns if c.name != "checkout_ref")
        _append(store, "conversions", before, conversion_id="order", ts=at,
                provider_ref="1001")  # fmt: skip

        assert migrations.apply(_engine(store), migrations.MIGRATIONS[:9]) == [9]

        # The old row reads NULL (it deduped by its provider ref); new rows carry the token.
        _append(store, "conversions", CONVERSIONS.columns, conversion_id="later", ts=at,
                provider_ref="1002", checkout_ref="tok")  # fmt: skip
        sql = "SELECT conversion_id, provider_ref, checkout_ref FROM conversions ORDER BY 1"
        assert store.query(Sql(sql)) == [("later", "1002", "tok"), ("order", "1001", None)]


def test_appended_conversions_always_carry_their_computed_key(event_store: EventStore) -> None:
    at = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    _append(event_store, "conversions", CONVERSIONS.columns, conversion_id="pay", ts=at,
            conversion_key=5)  # fmt: skip

    assert event_store.query(Sql("SELECT conversion_key FROM conversions")) == [
        (conversion_key("p", "pay"),)
    ]


@contextmanager
def _store_through(engine: str, tmp_path: Path, last: int) -> Iterator[EventStore]:
    """A fresh store of `engine` with migrations 1 to `last` applied: the state a migration
    after them starts from."""
    store = open_store(store_url(engine, tmp_path))
    try:
        assert migrations.apply(_engine(store), migrations.MIGRATIONS[:last])[-1] == last
        yield store
    finally:
        discard(store)


def _drop_checkout_ref(store: Migratable) -> None:
    table = f"{store.database}.conversions" if store.database else "conversions"
    store.execute_native(f"ALTER TABLE {table} DROP COLUMN checkout_ref")


def _forget_conversion_keys(store: Migratable) -> None:
    if store.engine is Engine.DUCKDB:
        store.execute_native("UPDATE conversions SET conversion_key = NULL")
    else:
        table = f"{store.database}.conversions" if store.database else "conversions"
        store.execute_native(
            f"ALTER TABLE {table} UPDATE conversion_key = NULL WHERE 1 SETTINGS mutations_sync = 2"
        )


def _append(store: EventStore, table: str, columns: tuple[Column, ...], **values: Any) -> None:
    empty = {ColumnType.TEXT: "", ColumnType.INT64: 1, ColumnType.INT32: 0,
             ColumnType.UINT64: 0, ColumnType.FLOAT64: 0.0, ColumnType.BOOL: False}  # fmt: skip
    row = {c.name: empty.get(c.type) for c in columns} | {"profile_id": "p"} | values
    store.append(table, pa.Table.from_pylist([row], schema=arrow_schema(columns)), sort=False)
