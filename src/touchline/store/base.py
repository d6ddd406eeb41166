"""The event-plane interface every engine implements, and `Sql`, a query written once.

Queries are written in DuckDB's dialect with named parameters (`$name`); each engine renders
them for itself (store/dialect.py holds the rewrite rules for ClickHouse).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import pyarrow as pa

from touchline.changes import ChangeCounter


class Engine(StrEnum):
    DUCKDB = "duckdb"
    CLICKHOUSE = "clickhouse"


@dataclass(frozen=True, slots=True)
class Sql:
    """One query: DuckDB-dialect text with `$name` parameters, and their values."""

    text: str
    params: Mapping[str, Any] = field(default_factory=dict)


class EventStore(Protocol):
    """What the rest of Touchline may ask of the event plane."""

    engine: Engine
    # Bumped by every write this process commits (analytics/cache.py keys answers on it).
    changes: ChangeCounter

    def migrate(self) -> None:
        """Create or upgrade every event-plane table (numbered, idempotent operations)."""

    def query(
        self, sql: Sql, *, tables: Mapping[str, pa.Table] | None = None
    ) -> list[tuple[Any, ...]]:
        """Run a read query and return its rows. `tables` binds Arrow tables as relations the
        query can read by name (e.g. a batch to anti-join against stored events)."""

    def query_arrow(self, sql: Sql, *, tables: Mapping[str, pa.Table] | None = None) -> pa.Table:
        """Run a read query and return an Arrow table (`tables` as in `query`)."""

    def execute(self, sql: Sql) -> None:
        """Run a statement (DDL or DML)."""

    def append(self, table: str, rows: pa.Table, *, sort: bool = True) -> None:
        """Bulk-append an Arrow table (never executemany), matching columns by name. DuckDB
        stores each batch sorted by the table's key unless `sort` is false (rows already
        grouped well, and too many to sort cheaply). A logical table (schema.VIEWS, e.g.
        `events`) is stored through its view. Computed keys (store/keys.py, e.g. a
        conversion's `conversion_key`) are set on the way in."""

    def transaction(self) -> AbstractContextManager[None]:
        """Group statements atomically where the engine can (DuckDB); ClickHouse relies on
        idempotent, versioned rows instead."""

    def ping(self) -> None:
        """Raise when the engine cannot answer a trivial query (readiness checks)."""

    def close(self) -> None: ...


def arrow_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """An Arrow table as Python row tuples (columns kept by position, not by name)."""
    columns = [column.to_pylist() for column in table.columns]
    return list(zip(*columns, strict=True)) if columns else []


def rows_as_dicts(columns: list[str], rows: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield dict(zip(columns, row, strict=True))
