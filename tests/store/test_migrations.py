"""Event-plane migrations: numbered, applied once, each operation working on both engines."""

from __future__ import annotations

from touchline.store import migrations
from touchline.store.base import EventStore, Sql
from touchline.store.clickhouse import ClickHouseStore
from touchline.store.duckdb import DuckDBStore
from touchline.store.migrations import AddColumn, CreateTable, Migratable, Migration, RunSql
from touchline.store.schema import EVENT_ROWS, Column, ColumnType, Table

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
