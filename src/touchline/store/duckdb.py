"""The embedded DuckDB engine: one writer connection, a cursor per reader thread.

DuckDB locks its file per process, so the server process owns it: the loader thread writes
through the one connection (guarded by a lock), and each reader thread (the web server's pool)
gets its own cursor, which is what makes `query()` safe to call from many threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from touchline.changes import ChangeCounter
from touchline.store import dialect, keys, migrations
from touchline.store.base import Engine, Sql, arrow_rows

_INPUT = "__touchline_rows"


class DuckDBStore:
    engine: Engine = Engine.DUCKDB
    database: str = ""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(path))
        # Every cursor inherits it: TIMESTAMPTZ values read and write as UTC.
        self._con.execute("SET GLOBAL TimeZone = 'UTC'")
        # Long writes (a migration's backfill) would draw a progress bar on the server's output.
        self._con.execute("SET enable_progress_bar = false")
        self._lock = threading.RLock()
        # Cursors are spawned from a connection nobody queries, so a new reader thread never
        # waits for the writer's transaction.
        self._spawner = self._con.cursor()
        self._spawn_lock = threading.Lock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._tx_thread: int | None = None
        self._tx_depth = 0
        self.changes = ChangeCounter()

    def migrate(self) -> None:
        migrations.apply(self)

    def ping(self) -> None:
        self.query(Sql("SELECT 1"))

    def query(
        self, sql: Sql, *, tables: Mapping[str, pa.Table] | None = None
    ) -> list[tuple[Any, ...]]:
        # Through Arrow: aware UTC datetimes and Decimals, the same values the ClickHouse
        # engine returns.
        return arrow_rows(self.query_arrow(sql, tables=tables))

    def query_arrow(self, sql: Sql, *, tables: Mapping[str, pa.Table] | None = None) -> pa.Table:
        con = self._connection()
        for name, table in (tables or {}).items():
            con.register(name, table)
        try:
            relation = con.sql(sql.text, params=dict(sql.params) or None)
            return relation.to_arrow_table() if relation is not None else pa.table({})
        finally:
            for name in tables or {}:
                con.unregister(name)

    def execute(self, sql: Sql) -> None:
        with self._lock:
            # fetchall() runs the statement to its end whatever it is, and drains its result.
            self._con.execute(sql.text, dict(sql.params) or None).fetchall()
            self.changes.bump()

    def execute_native(self, statement: str) -> None:
        with self._lock:
            self._con.execute(statement).fetchall()
            self.changes.bump()

    def append(self, table: str, rows: pa.Table, *, sort: bool = True) -> None:
        if rows.num_rows == 0:
            return
        rows = keys.with_keys(table, rows)
        # Each batch is stored sorted by the table's key (ClickHouse's merges do the same):
        # runs of one profile, day and visitor compress several times better.
        statement = dialect.insert_select(
            table,
            rows.column_names,
            self.engine,
            source=_INPUT,
            sort_key=migrations.sort_key(table) if sort else (),
        )
        with self._lock:
            self._con.register(_INPUT, rows)
            try:
                self._con.execute(statement).fetchall()
            finally:
                self._con.unregister(_INPUT)
                self.changes.bump()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._tx_depth:
                self._tx_depth += 1
                try:
                    yield
                finally:
                    self._tx_depth -= 1
                return
            self._con.execute("BEGIN TRANSACTION")
            self._tx_thread, self._tx_depth = threading.get_ident(), 1
            try:
                yield
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            else:
                self._con.execute("COMMIT")
            finally:
                self._tx_thread, self._tx_depth = None, 0
                # Readers may have cached what they saw mid-transaction: the commit (or the
                # rollback) makes that stale.
                self.changes.bump()

    def close(self) -> None:
        with self._lock, self._spawn_lock:
            for cursor in self._cursors:
                cursor.close()
            self._cursors.clear()
            self._spawner.close()
            self._con.close()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        # The thread inside a transaction reads its own uncommitted writes.
        if self._tx_thread == threading.get_ident():
            return self._con
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            with self._spawn_lock:
                cursor = self._spawner.cursor()
                self._cursors.append(cursor)
            self._local.cursor = cursor
        return cursor
