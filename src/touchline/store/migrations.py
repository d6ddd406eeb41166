"""Event-plane migrations: numbered, typed operations rendered for each engine.

A separate track from the control plane's Alembic. `apply(store)` runs the migrations a store
has not recorded in `event_migrations`, in order; each operation is idempotent (IF NOT EXISTS,
OR REPLACE) so a migration interrupted on ClickHouse, which has no DDL transactions, re-runs
safely. To add a table: append `Migration(next number, "what", (CreateTable(YOUR_TABLE),))`.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import pyarrow as pa

from touchline.store import dialect
from touchline.store.base import Engine, Sql
from touchline.store.record_tables import (
    AD_ENTITIES,
    AD_ENTITY_CONNECTOR_COLUMNS,
    AD_INSIGHT_CONNECTOR_COLUMNS,
    AD_INSIGHTS,
    CALENDAR_EVENTS,
    SEARCH_KEYWORDS,
)
from touchline.store.schema import (
    CHANNEL_WEIGHTS,
    CONVERSIONS,
    CREDIT_ROWS,
    CREDIT_ROWS_6,
    CREDITS,
    CREDITS_VIEW,
    CREDITS_VIEW_6,
    EVENT_MIGRATIONS,
    EVENT_ROWS,
    EVENTS,
    IDENTITY_MAP,
    SESSION_ADJACENCY_COLUMNS,
    SESSION_COLUMNS,
    SESSION_ENGAGEMENT_COLUMNS,
    SESSION_PAGES,
    SESSION_SCOPE,
    SESSION_SCOPE_BEFORE,
    SESSIONS,
    SPOOL_CHECKPOINTS,
    STORED_SESSION_COLUMN_NAMES,
    TOUCH_ROWS,
    VIEWS,
    WATERMARKS,
    Column,
    Table,
    View,
    arrow_schema,
)


@dataclass(frozen=True, slots=True)
class CreateTable:
    table: Table


@dataclass(frozen=True, slots=True)
class CreateView:
    view: View


@dataclass(frozen=True, slots=True)
class AddColumn:
    table: str
    column: Column


@dataclass(frozen=True, slots=True)
class RenameTable:
    table: str
    to: str


@dataclass(frozen=True, slots=True)
class FillKeys:
    """Rewrite the rows of `table` whose computed key column (store/keys.py) is NULL."""

    table: str
    column: str


@dataclass(frozen=True, slots=True)
class RunSql:
    """A statement in DuckDB's dialect, rendered for ClickHouse by the dialect layer."""

    sql: str


Operation = CreateTable | CreateView | AddColumn | RenameTable | FillKeys | RunSql


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    operations: tuple[Operation, ...]


_COPIED = ", ".join(
    f"c.{n}" if n == "conversion_key" else f"r.{n}" for n in CREDIT_ROWS.column_names
)
_COPY_CREDIT_ROWS = f"""INSERT INTO credit_rows ({", ".join(CREDIT_ROWS.column_names)})
SELECT {_COPIED}
FROM credit_rows_6 r
JOIN conversions c ON c.profile_id = r.profile_id AND c.conversion_id = r.conversion_id"""
"""Migration 7: the credit rows of migration 6 keyed by their conversion's integer key."""

_ADJACENT = "WINDOW a AS (PARTITION BY profile_id, visitor_key ORDER BY started_at)"
_STORED_SESSIONS = ", ".join(STORED_SESSION_COLUMN_NAMES)
_FILL_ADJACENCY = f"""INSERT INTO sessions ({_STORED_SESSIONS})
SELECT {", ".join(c.name for c in (*SESSION_COLUMNS, *SESSION_ENGAGEMENT_COLUMNS))},
  coalesce(lag(epoch_us(started_at)) OVER a, 0), coalesce(lead(epoch_us(started_at)) OVER a, 0)
FROM sessions WHERE previous_start_us IS NULL {_ADJACENT}
ORDER BY profile_id, started_at"""
"""Migration 8: every stored session again, with its visitor's neighbouring session starts (the
rows without them are deleted next; a rerun after an interruption finds only those)."""

_PAGE_CARRIED = "s.bounced, s.engaged_ms, s.previous_start_us, s.next_start_us, s.version"
_FILL_PAGES = f"""INSERT INTO session_pages ({", ".join(SESSION_PAGES.column_names)})
SELECT s.profile_id, s.session_key, s.visitor_key, s.started_at, e.path,
    CAST(count(*) AS INTEGER), {_PAGE_CARRIED}
  FROM events e JOIN sessions s ON s.profile_id = e.profile_id
    AND s.visitor_key = e.visitor_key AND e.ts >= s.started_at AND e.ts <= s.ended_at
  WHERE e.type = 'page_view' AND e.origin IN ('import', 'tracker')
  GROUP BY s.profile_id, s.session_key, s.visitor_key, s.started_at, e.path, {_PAGE_CARRIED}
  ORDER BY s.profile_id, s.started_at"""
"""Migration 8: the pages of every stored visit (first-party page views, as the sessions update
of that release writes them)."""

MIGRATIONS: list[Migration] = [
    Migration(1, "events", (CreateTable(EVENT_ROWS), CreateView(EVENTS))),
    Migration(2, "spool checkpoints", (CreateTable(SPOOL_CHECKPOINTS),)),
    Migration(3, "sessions", (CreateTable(SESSIONS), CreateTable(SESSION_SCOPE))),
    Migration(
        4,
        "attribution",
        (
            *(AddColumn(SESSIONS.name, column) for column in SESSION_ENGAGEMENT_COLUMNS),
            CreateTable(IDENTITY_MAP),
            CreateTable(CONVERSIONS),
            CreateTable(TOUCH_ROWS),
            CreateTable(CREDITS),
            CreateTable(CHANNEL_WEIGHTS),
            CreateTable(WATERMARKS),
            CreateTable(AD_ENTITIES),
            CreateTable(AD_INSIGHTS),
        ),
    ),
    Migration(
        5,
        "connectors",
        (
            *(AddColumn(AD_ENTITIES.name, column) for column in AD_ENTITY_CONNECTOR_COLUMNS),
            *(AddColumn(AD_INSIGHTS.name, column) for column in AD_INSIGHT_CONNECTOR_COLUMNS),
            CreateTable(SEARCH_KEYWORDS),
            CreateTable(CALENDAR_EVENTS),
        ),
    ),
    Migration(
        6,
        "narrow credit rows",
        (
            CreateTable(CREDIT_ROWS_6),
            RunSql(
                f"INSERT INTO credit_rows ({', '.join(CREDIT_ROWS_6.column_names)})"
                f" SELECT {', '.join(CREDIT_ROWS_6.column_names)} FROM credits"
            ),
            RunSql("DROP TABLE IF EXISTS credits"),
            RunSql(CREDITS_VIEW_6),
        ),
    ),
    Migration(
        7,
        "integer conversion keys",
        (
            AddColumn(CONVERSIONS.name, CONVERSIONS.column("conversion_key")),
            FillKeys(CONVERSIONS.name, "conversion_key"),
            RunSql("DROP VIEW IF EXISTS credits"),
            RenameTable(CREDIT_ROWS.name, "credit_rows_6"),
            CreateTable(CREDIT_ROWS),
            RunSql(_COPY_CREDIT_ROWS),
            RunSql("DROP TABLE IF EXISTS credit_rows_6"),
            RunSql(CREDITS_VIEW),
        ),
    ),
    Migration(
        8,
        "visit neighbours and pages",
        (
            *(AddColumn(SESSIONS.name, column) for column in SESSION_ADJACENCY_COLUMNS),
            AddColumn(SESSION_SCOPE.name, SESSION_SCOPE_BEFORE),
            RunSql(_FILL_ADJACENCY),
            RunSql("DELETE FROM sessions WHERE previous_start_us IS NULL"),
            CreateTable(SESSION_PAGES),
            RunSql("TRUNCATE TABLE session_pages"),  # a rerun starts over
            RunSql(_FILL_PAGES),
        ),
    ),
    # Rows recorded before it keep NULL: they dedupe by their provider ref alone.
    Migration(
        9, "checkout refs", (AddColumn(CONVERSIONS.name, CONVERSIONS.column("checkout_ref")),)
    ),
]


class Migratable(Protocol):
    """What `apply` needs of an engine (both engines implement it)."""

    engine: Engine
    database: str

    def query(self, sql: Sql) -> list[tuple[Any, ...]]: ...

    def query_arrow(self, sql: Sql) -> pa.Table: ...

    def execute(self, sql: Sql) -> None: ...

    def execute_native(self, statement: str) -> None: ...

    def append(self, table: str, rows: pa.Table) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...


def apply(store: Migratable, migrations: list[Migration] | None = None) -> list[int]:
    """Apply the pending migrations in number order; return the numbers applied."""
    store.execute_native(
        dialect.create_table(EVENT_MIGRATIONS, store.engine, database=store.database)
    )
    done = {number for (number,) in store.query(Sql("SELECT number FROM event_migrations"))}
    applied: list[int] = []
    for migration in sorted(migrations or MIGRATIONS, key=lambda m: m.number):
        if migration.number in done:
            continue
        with store.transaction():
            for operation in migration.operations:
                _run(store, operation)
            store.append("event_migrations", _record(migration))
        applied.append(migration.number)
    return applied


def sort_key(name: str) -> tuple[str, ...]:
    """The sort key of table (or view) `name`, as its last migration creating it made it; () if
    unknown."""
    view = VIEWS.get(name)
    if view is not None:
        return view.table.sort_key
    created = [
        operation.table
        for migration in MIGRATIONS
        for operation in migration.operations
        if isinstance(operation, CreateTable) and operation.table.name == name
    ]
    return created[-1].sort_key if created else ()  # the latest layout of the table


def _run(store: Migratable, operation: Operation) -> None:
    engine, database = store.engine, store.database
    match operation:
        case CreateTable(table):
            store.execute_native(dialect.create_table(table, engine, database=database))
        case CreateView(view):
            store.execute_native(dialect.create_view(view, engine, database=database))
        case AddColumn(table, column):
            store.execute_native(dialect.add_column(table, column, engine, database=database))
        case RenameTable(table, to):
            store.execute_native(dialect.rename_table(table, to, engine, database=database))
        case FillKeys(table, column):
            rows = store.query_arrow(Sql(f"SELECT * FROM {table} WHERE {column} IS NULL"))
            if rows.num_rows:  # the store computes the keys as it appends
                store.append(table, rows)
                store.execute(Sql(f"DELETE FROM {table} WHERE {column} IS NULL"))
        case RunSql(sql):
            store.execute(Sql(sql))


def _record(migration: Migration) -> pa.Table:
    row = {
        "number": [migration.number],
        "name": [migration.name],
        "applied_at": [dt.datetime.now(dt.UTC)],
    }
    return pa.table(row, schema=arrow_schema(EVENT_MIGRATIONS.columns))
