"""Scan both planes for a text: every column of every control-plane table and every
event-plane table, as text, any case (the erase tests' "no trace remains")."""

from __future__ import annotations

from sqlalchemy import MetaData, select

from touchline.control.db import Database
from touchline.store.base import EventStore, Sql

EVENT_TABLES = Sql(
    "SELECT table_name FROM information_schema.tables"
    " WHERE table_type = 'BASE TABLE' ORDER BY table_name"
)


def traces(database: Database, store: EventStore, *texts: str) -> list[str]:
    """Where any of `texts` still appears: `plane.table.column` (or `.row` for the events)."""
    wanted = [t.lower() for t in texts]
    found: list[str] = []
    metadata = MetaData()
    with database.read() as session:
        metadata.reflect(bind=session.connection())
        for table in metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is not None and any(w in str(value).lower() for w in wanted):
                        found.append(f"control.{table.name}.{column}")
    for (name,) in store.query(EVENT_TABLES):
        table = store.query_arrow(Sql(f"SELECT * FROM {name}"))
        for column, values in zip(table.column_names, table.columns, strict=True):
            for value in values.to_pylist():
                if value is not None and any(w in str(value).lower() for w in wanted):
                    found.append(f"event.{name}.{column}")
    return sorted(set(found))
