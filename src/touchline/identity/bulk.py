"""Bulk writes for the identity graph: the statement compiled once for the connection's
dialect, values bound with the columns' own processors, then one DBAPI executemany.

SQLAlchemy's executemany (the ORM's above all) re-processes every parameter of every row; here
the columns that are the same for the whole batch (profile, times, version) are bound once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Table, Update, bindparam, insert, update
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, same: Sequence[str]
) -> None:
    """Insert `rows` (all with the same keys); the `same` columns hold one value for all."""
    if rows:
        names = list(rows[0])
        statement = insert(table).values({name: bindparam(f"b_{name}") for name in names})
        _execute_many(session, statement, table, rows, same)


def update_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, same: Sequence[str]
) -> None:
    """Update rows by `id` (every row with the same keys, `id` among them)."""
    if rows:
        names = [name for name in rows[0] if name != "id"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in names})
        )
        _execute_many(session, statement, table, rows, same)


def _execute_many(
    session: Session,
    statement: Insert | Update,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    same: Sequence[str],
) -> None:
    """Bind parameter `b_<column>` takes the row's `<column>` through the column's processor."""
    connection = session.connection()
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    order = [bind[2:] for bind in (compiled.positiontup or list(compiled.binds))]
    # dialect_impl: a TypeDecorator's processor chained with the dialect's own (SQLite dates).
    processors = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                  for name in order}  # fmt: skip
    constant = {name: _bind(processors[name], rows[0][name]) for name in same}
    template = [constant.get(name) for name in order]
    slots = [(i, name, processors[name]) for i, name in enumerate(order) if name not in constant]

    def bound(row: Mapping[str, Any]) -> tuple[Any, ...]:
        values = template.copy()
        for i, name, processor in slots:
            values[i] = row[name] if processor is None else processor(row[name])
        return tuple(values)

    parameters = [bound(row) for row in rows]
    if compiled.positional:
        connection.exec_driver_sql(compiled.string, parameters)
    else:
        binds = [f"b_{name}" for name in order]
        named = [dict(zip(binds, p, strict=True)) for p in parameters]
        connection.exec_driver_sql(compiled.string, named)


def _bind(processor: Callable[[Any], Any] | None, value: Any) -> Any:
    return value if processor is None else processor(value)


def fresh_id() -> str:
    """A UUIDv7 (RFC 9562): time-ordered, so a batch's rows land on neighbouring index pages
    (about half the SQLite write cost of random UUID4s). Decision 0702."""
    raw = bytearray((time.time_ns() // 1_000_000).to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70  # version 7
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 9562 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
