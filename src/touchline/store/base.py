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

    def migrate(self) -> None:
        """Create or upgrade every event-plane table (numbered, idempotent operations)."""

    def query(self, sql: Sql) -> list[tuple[Any, ...]]:
        """Run a read query and return its rows."""

    def query_arrow(self, sql: Sql) -> pa.Table:
        """Run a read query and return an Arrow table."""

    def execute(self, sql: Sql) -> None:
        """Run a statement (DDL or DML)."""

    def append(self, table: str, rows: pa.Table) -> None:
        """Bulk-append an Arrow table (never executemany)."""

    def transaction(self) -> AbstractContextManager[None]:
        """Group statements atomically where the engine can (DuckDB); ClickHouse relies on
        idempotent, versioned rows instead."""

    def close(self) -> None: ...


def rows_as_dicts(columns: list[str], rows: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield dict(zip(columns, row, strict=True))
