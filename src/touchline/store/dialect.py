"""Engine differences as tables: column types, DDL, and DuckDB → ClickHouse query rendering.

Queries are written once in DuckDB's dialect with `$name` parameters. For ClickHouse they are
transpiled with sqlglot, then a short list of rewrite rules fixes what sqlglot leaves apart;
parameters become ClickHouse's typed `{name:Type}` placeholders. No report branches on engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

from touchline.errors import InvalidParameter
from touchline.store.base import Engine
from touchline.store.schema import VIEWS, Column, ColumnType, Table, View

T = ColumnType

COLUMN_TYPES: dict[Engine, dict[ColumnType, str]] = {
    Engine.DUCKDB: {
        T.TEXT: "VARCHAR",
        T.TIMESTAMP: "TIMESTAMPTZ",
        T.UINT64: "UBIGINT",
        T.INT64: "BIGINT",
        T.INT32: "INTEGER",
        T.FLOAT64: "DOUBLE",
        T.MONEY: "DECIMAL(18, 4)",
        T.BOOL: "BOOLEAN",
        T.UUID: "UUID",
    },
    Engine.CLICKHOUSE: {
        T.TEXT: "String",
        T.TIMESTAMP: "DateTime64(6, 'UTC')",
        T.UINT64: "UInt64",
        T.INT64: "Int64",
        T.INT32: "Int32",
        T.FLOAT64: "Float64",
        T.MONEY: "Decimal(18, 4)",
        T.BOOL: "Bool",
        T.UUID: "UUID",
    },
}


# --- DDL ------------------------------------------------------------------------------------


def column_ddl(column: Column, engine: Engine, *, required: bool) -> str:
    sql_type = COLUMN_TYPES[engine][column.type]
    if engine is Engine.DUCKDB:
        return f"{column.name} {sql_type}" + (" NOT NULL" if required else "")
    return f"{column.name} {sql_type if required else f'Nullable({sql_type})'}"


def create_table(table: Table, engine: Engine, *, database: str = "") -> str:
    columns = ",\n  ".join(
        column_ddl(c, engine, required=c.name in table.required) for c in table.columns
    )
    head = f"CREATE TABLE IF NOT EXISTS {_qualified(table.name, database)} (\n  {columns}\n)"
    if engine is Engine.DUCKDB:
        return head
    family = "ReplacingMergeTree" if table.replacing else "MergeTree"
    version = f"({table.version})" if table.version else ""
    partition = (
        f" PARTITION BY toYYYYMM({table.partition_month_of})" if table.partition_month_of else ""
    )
    order = ", ".join(expression(key, engine) for key in table.sort_key)
    return f"{head} ENGINE = {family}{version}{partition} ORDER BY ({order})"


def create_view(view: View, engine: Engine, *, database: str = "") -> str:
    select = expression_list(view.select, engine)
    source = _qualified(view.table.name, database)
    name = _qualified(view.name, database)
    return f"CREATE OR REPLACE VIEW {name} AS SELECT {select} FROM {source}"


def insert_select(
    name: str,
    columns: Sequence[str],
    engine: Engine,
    *,
    database: str = "",
    source: str,
    sort_key: Sequence[str] = (),
) -> str:
    """`INSERT … SELECT` appending the relation `source` (columns matched by name) to table
    `name`, or through the view of that name into its physical table; sorted by `sort_key`
    (expressions over the stored columns) when given."""
    view = VIEWS.get(name)
    order = f" ORDER BY {', '.join(sort_key)}" if sort_key else ""
    if view is None:
        listed = ", ".join(columns)
        target = _qualified(name, database)
        return f"INSERT INTO {target} ({listed}) SELECT {listed} FROM {source}{order}"
    physical = ", ".join(view.table.column_names)
    select = expression_list(view.insert, engine)
    target = _qualified(view.table.name, database)
    return f"INSERT INTO {target} ({physical}) SELECT {select} FROM {source}{order}"


def add_column(table: str, column: Column, engine: Engine, *, database: str = "") -> str:
    ddl = column_ddl(column, engine, required=False)
    return f"ALTER TABLE {_qualified(table, database)} ADD COLUMN IF NOT EXISTS {ddl}"


def rename_table(name: str, to: str, engine: Engine, *, database: str = "") -> str:
    old, new = _qualified(name, database), _qualified(to, database)
    if engine is Engine.DUCKDB:
        return f"ALTER TABLE {old} RENAME TO {to}"
    return f"RENAME TABLE {old} TO {new}"


def _qualified(name: str, database: str) -> str:
    return f"{database}.{name}" if database else name


@lru_cache(maxsize=256)
def expression(text: str, engine: Engine) -> str:
    """One DuckDB-dialect scalar expression rendered for `engine`."""
    if engine is Engine.DUCKDB:
        return text
    return _rewrite(sqlglot.parse_one(text, read="duckdb")).sql("clickhouse")


@lru_cache(maxsize=64)
def expression_list(text: str, engine: Engine) -> str:
    """A DuckDB-dialect select list (`a, f(b) AS c`) rendered for `engine`."""
    if engine is Engine.DUCKDB:
        return text
    select = sqlglot.parse_one(f"SELECT {text}", read="duckdb")
    assert isinstance(select, exp.Select)
    return ", ".join(_rewrite(e).sql("clickhouse") for e in select.expressions)


# --- Queries ----------------------------------------------------------------------------------


def render_clickhouse(
    text: str,
    params: Mapping[str, Any],
    *,
    database: str,
    inputs: Mapping[str, str],
) -> str:
    """DuckDB-dialect `text` as ClickHouse SQL. `inputs` maps relation names bound at query time
    (Arrow tables) to the table expression that reads them (chdb: `Python(t0)`)."""
    types = tuple(sorted((name, clickhouse_param_type(value)) for name, value in params.items()))
    return _render_cached(text, types, database, tuple(sorted(inputs.items())))


@lru_cache(maxsize=1024)
def _render_cached(
    text: str,
    types: tuple[tuple[str, str], ...],
    database: str,
    inputs: tuple[tuple[str, str], ...],
) -> str:
    # sqlglot's tokenizer fails on a statement with a `$name` whose last token is '' (an empty
    # string literal at the very end); a trailing newline avoids it.
    statements = sqlglot.parse(text + "\n", read="duckdb")
    if len(statements) != 1 or statements[0] is None:
        raise InvalidParameter("one SQL statement expected", sql=text)
    tree = _rewrite(statements[0])
    tree = _bind_placeholders(tree, dict(types))
    tree = _qualify_tables(tree, database, dict(inputs))
    return tree.sql("clickhouse")


def _rewrite(tree: exp.Expr) -> exp.Expr:
    return tree.transform(_apply_rules)


def _apply_rules(node: exp.Expr) -> exp.Expr:
    for rule in REWRITE_RULES:
        node = rule(node)
    return node


def _full_match(node: exp.Expr) -> exp.Expr:
    # ClickHouse's match() searches; a full match needs explicit anchors.
    if isinstance(node, exp.RegexpFullMatch):
        pattern = node.expression
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            anchored = exp.Literal.string(f"^(?:{pattern.this})$")
            return exp.Anonymous(this="match", expressions=[node.this, anchored])
    return node


_FUNCTION_RENAMES: dict[str, str] = {
    "EPOCH_US": "toUnixTimestamp64Micro",
    "EPOCH_MS": "toUnixTimestamp64Milli",
    "HASH": "cityHash64",  # a UInt64 hash; values differ by engine, so keep them inside a query
}


def _renamed_function(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Anonymous) and str(node.this).upper() in _FUNCTION_RENAMES:
        return exp.Anonymous(
            this=_FUNCTION_RENAMES[str(node.this).upper()], expressions=node.expressions
        )
    return node


def _unicode_lower(node: exp.Expr) -> exp.Expr:
    # ClickHouse's lower() folds ASCII only; DuckDB's folds every letter (filters on 'Ñ', 'É').
    if isinstance(node, exp.Lower):
        return exp.Anonymous(this="lowerUTF8", expressions=[node.this])
    return node


# The rewrite rules sqlglot's DuckDB → ClickHouse transpilation needs here (add new ones here).
REWRITE_RULES: tuple[Callable[[exp.Expr], exp.Expr], ...] = (
    _full_match,
    _renamed_function,
    _unicode_lower,
)


def _bind_placeholders(tree: exp.Expr, types: dict[str, str]) -> exp.Expr:
    def bind(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder) and node.name in types:
            kind = exp.DataType.build(types[node.name], dialect="clickhouse")
            return exp.Placeholder(this=exp.var(node.name), kind=kind)
        return node

    return tree.transform(bind)


def _qualify_tables(tree: exp.Expr, database: str, inputs: dict[str, str]) -> exp.Expr:
    if isinstance(tree, exp.Drop | exp.Create) and str(tree.args.get("kind")).upper() in (
        "DATABASE",
        "SCHEMA",
    ):
        return tree
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}

    def qualify(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.Table) or node.args.get("db") or not node.name:
            return node
        if node.name in inputs:
            alias = node.alias or node.name
            source = sqlglot.parse_one(f"SELECT * FROM {inputs[node.name]}", read="clickhouse")
            table = source.find(exp.Table)
            assert table is not None
            return table.as_(alias, table=True) if alias else table
        if node.name in ctes or not database:
            return node
        node.set("db", exp.to_identifier(database))
        return node

    return tree.transform(qualify)


# --- Parameters ---------------------------------------------------------------------------------


def clickhouse_param_type(value: Any) -> str:
    """ClickHouse type of a query parameter, inferred from its Python value."""
    if isinstance(value, bool):
        return "Bool"
    if isinstance(value, int):
        return "UInt64" if value >= 2**63 else "Int64"
    if isinstance(value, float):
        return "Float64"
    if isinstance(value, Decimal):
        return "Decimal(38, 10)"
    if isinstance(value, str):
        return "String"
    if isinstance(value, dt.datetime):
        return "DateTime64(6, 'UTC')"
    if isinstance(value, dt.date):
        return "Date"
    if isinstance(value, list | tuple | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else list(value)
        inner = clickhouse_param_type(items[0]) if items else "String"
        return f"Array({inner})"
    raise InvalidParameter(f"unsupported query parameter type {type(value).__name__}")


def clickhouse_param_text(value: Any) -> str:
    """A parameter value in ClickHouse's text form (what chdb's `params=` takes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _escaped(value)
    if isinstance(value, list | tuple | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else list(value)
        return "[" + ",".join(_array_item(item) for item in items) + "]"
    return str(value)


def _array_item(value: Any) -> str:
    if isinstance(value, str | dt.date):
        text = value if isinstance(value, str) else clickhouse_param_text(value)
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return clickhouse_param_text(value)


_ESCAPES = (("\\", "\\\\"), ("\0", "\\0"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _escaped(text: str) -> str:
    # Parameter values are parsed in ClickHouse's Escaped format.
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise InvalidParameter("timestamps must be timezone-aware (UTC)")
    return value.astimezone(dt.UTC)
