"""The ClickHouse engine: chdb (ClickHouse in-process, `chdb://PATH`) or a server
(`clickhouse://user:password@host:port/database`, clickhouse-connect).

Queries arrive in DuckDB's dialect and are rendered by store/dialect.py. Tables are
(Replacing)MergeTree ordered by their sort key; there are no transactions, so the loader relies
on idempotent, versioned rows instead (see ingest/loader.py).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

import pyarrow as pa

from touchline.changes import ChangeCounter
from touchline.errors import InvalidParameter
from touchline.store import dialect, keys, migrations
from touchline.store.base import Engine, Sql, arrow_rows

_DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Backend(Protocol):
    """How SQL reaches ClickHouse; `inputs` are Arrow tables the SQL reads by name."""

    def input_relation(self, position: int) -> str: ...

    def select(self, text: str, params: Mapping[str, Any], inputs: list[pa.Table]) -> pa.Table: ...

    def command(self, text: str, params: Mapping[str, Any], inputs: list[pa.Table]) -> None: ...


class ClickHouseStore:
    engine: Engine = Engine.CLICKHOUSE

    def __init__(self, backend: Backend, *, database: str) -> None:
        if not _DATABASE_NAME.match(database):
            raise InvalidParameter(f"invalid ClickHouse database name {database!r}")
        self.database = database
        self._backend = backend
        self.changes = ChangeCounter()
        self._backend.command(f"CREATE DATABASE IF NOT EXISTS {database}", {}, [])

    def migrate(self) -> None:
        migrations.apply(self)

    def ping(self) -> None:
        self.query(Sql("SELECT 1"))

    def query(
        self, sql: Sql, *, tables: Mapping[str, pa.Table] | None = None
    ) -> list[tuple[Any, ...]]:
        return arrow_rows(self.query_arrow(sql, tables=tables))

    def query_arrow(self, sql: Sql, *, tables: Mapping[str, pa.Table] | None = None) -> pa.Table:
        text, inputs = self._render(sql, tables or {})
        return self._backend.select(text, sql.params, inputs)

    def execute(self, sql: Sql) -> None:
        text, inputs = self._render(sql, {})
        self._backend.command(text, sql.params, inputs)
        self.changes.bump()

    def execute_native(self, statement: str) -> None:
        self._backend.command(statement, {}, [])
        self.changes.bump()

    def append(self, table: str, rows: pa.Table, *, sort: bool = True) -> None:  # noqa: ARG002
        # MergeTree sorts every inserted part by its ORDER BY whatever `sort` says.
        if rows.num_rows == 0:
            return
        rows = keys.with_keys(table, rows)
        source = self._backend.input_relation(0)
        statement = dialect.insert_select(
            table, rows.column_names, self.engine, database=self.database, source=source
        )
        self._backend.command(statement, {}, [rows])
        self.changes.bump()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # No multi-statement transactions: callers write idempotent, versioned rows.
        yield

    def close(self) -> None:
        # The chdb session is per process and shared; a server client closes with the process.
        return None

    def _render(self, sql: Sql, tables: Mapping[str, pa.Table]) -> tuple[str, list[pa.Table]]:
        names = list(tables)
        relations = {name: self._backend.input_relation(i) for i, name in enumerate(names)}
        text = dialect.render_clickhouse(
            sql.text, sql.params, database=self.database, inputs=relations
        )
        return text, [tables[name] for name in names]


# --- chdb ---------------------------------------------------------------------------------------

_SESSION_LOCK = threading.Lock()
_SESSION: tuple[str, Any] | None = None


def chdb_session(path: str) -> Any:
    """The process's one chdb session (chdb allows a single data path per process)."""
    global _SESSION
    import chdb.session

    with _SESSION_LOCK:
        if _SESSION is None:
            session_type: Any = chdb.session.Session  # untyped library
            _SESSION = (path, session_type(path))
        elif _SESSION[0] != path:
            raise InvalidParameter(
                f"chdb already runs on {_SESSION[0]} in this process; one data path per process",
            )
        return _SESSION[1]


def close_chdb_session() -> None:
    """Close the process's chdb session (at exit; a later `chdb://` store opens a new one)."""
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is not None:
            _SESSION[1].close()
            _SESSION = None


class ChdbBackend:
    """ClickHouse in-process. Arrow inputs are read with chdb's `Python(name)` table function,
    which finds the table by variable name in the calling frame."""

    def __init__(self, path: str) -> None:
        self._session = chdb_session(path)

    def input_relation(self, position: int) -> str:
        return f"Python(_input{position})"

    def select(self, text: str, params: Mapping[str, Any], inputs: list[pa.Table]) -> pa.Table:
        return self._run(text, params, inputs, "ArrowTable")

    def command(self, text: str, params: Mapping[str, Any], inputs: list[pa.Table]) -> None:
        self._run(text, params, inputs, "CSV")

    def _run(self, text: str, params: Mapping[str, Any], inputs: list[pa.Table], fmt: str) -> Any:
        if len(inputs) > 3:
            raise InvalidParameter("at most three Arrow inputs per ClickHouse query")
        _input0, _input1, _input2 = [*inputs, None, None, None][:3]  # read by Python(_inputN)
        bound = {name: dialect.clickhouse_param_text(value) for name, value in params.items()}
        return self._session.query(text, fmt, params=bound or None)


# --- ClickHouse server --------------------------------------------------------------------------


class ServerBackend:
    """A ClickHouse server through clickhouse-connect (HTTP). Arrow inputs travel as external
    data (temporary tables of the query), in Arrow IPC format."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def input_relation(self, position: int) -> str:
        return f"_input{position}"

    def select(self, text: str, params: Mapping[str, Any], inputs: list[pa.Table]) -> pa.Table:
        table: pa.Table = self._client.query_arrow(
            text, parameters=dict(params), external_data=_external(inputs)
        )
        return table

    def command(self, text: str, params: Mapping[str, Any], inputs: list[pa.Table]) -> None:
        self._client.command(text, parameters=dict(params), external_data=_external(inputs))


def _external(inputs: list[pa.Table]) -> Any:
    if not inputs:
        return None
    from clickhouse_connect.driver.external import ExternalData

    data = ExternalData()
    for position, table in enumerate(inputs):
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        data.add_file(
            file_name=f"_input{position}",
            data=sink.getvalue(),
            fmt="ArrowStream",
            structure=_structure(table.schema),
        )
    return data


_ARROW_TO_CLICKHOUSE: dict[str, str] = {
    "string": "String",
    "large_string": "String",
    "uint64": "UInt64",
    "int64": "Int64",
    "int32": "Int32",
    "double": "Float64",
    "bool": "Bool",
    "timestamp[us, tz=UTC]": "DateTime64(6, 'UTC')",
    "decimal128(18, 4)": "Decimal(18, 4)",
}


def _structure(schema: pa.Schema) -> list[str]:
    out = []
    for field in schema:
        sql_type = _ARROW_TO_CLICKHOUSE.get(str(field.type))
        if sql_type is None:
            raise InvalidParameter(f"no ClickHouse type for Arrow {field.type} ({field.name})")
        out.append(f"{field.name} {f'Nullable({sql_type})' if field.nullable else sql_type}")
    return out
