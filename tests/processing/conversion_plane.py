"""Both planes for conversion tests on each engine: a control plane with a profile (its default
goals), an event store, and events loaded the way the loader hands them to the after-load steps
(events appended, sessions updated, then `record_conversions`)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.store.engines import event_row, event_table

from touchline.control.db import Database
from touchline.control.repos import profiles, workspaces
from touchline.ingest.context import ProfileContext
from touchline.processing.conversions import reconvert, record_conversions
from touchline.processing.sessions import update_sessions
from touchline.settings import Settings
from touchline.store.base import EventStore, Sql

T0 = dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)  # a Monday: ECB has a rate that day
_ids = itertools.count(1)


@dataclass
class Plane:
    database: Database
    store: EventStore
    profile: ProfileContext

    def load(self, *rows: dict[str, Any]) -> int:
        """Load one batch; returns the conversions it recorded."""
        table = event_table(rows)
        self.store.append("events", table)
        profiles = {self.profile.profile_id: self.profile}
        update_sessions(store=self.store, new_rows=table, profiles=profiles)
        return self.replay(*rows)

    def replay(self, *rows: dict[str, Any]) -> int:
        """Hand the batch to the conversions step again (a replay after a crash)."""
        return record_conversions(
            database=self.database,
            store=self.store,
            new_rows=event_table(rows),
            profiles={self.profile.profile_id: self.profile},
        )

    def reconvert(self) -> int:
        return reconvert(database=self.database, store=self.store, profile=self.profile)

    def rows(self, columns: str, where: str = "TRUE", **params: Any) -> list[tuple[Any, ...]]:
        sql = f"SELECT {columns} FROM conversions WHERE {where} ORDER BY ts, conversion_id"
        return self.store.query(Sql(sql, params))


@pytest.fixture
def plane(event_store: EventStore, tmp_path: Path) -> Iterator[Plane]:
    settings = Settings(data_dir=tmp_path / "data", database_url="", event_store_url="")
    settings.ensure_data_dir()
    database = Database.open(settings)
    database.migrate()
    with database.transaction() as session:
        workspace = workspaces.create(session, name="W", actor="test")
        record = profiles.create(session, workspace_id=workspace.id, name="P", actor="test")
    try:
        yield Plane(database, event_store, record.context())
    finally:
        database.close()


def server(
    plane: Plane,
    name: str,
    at: dt.datetime = T0,
    amount: str | None = None,
    currency: str = "USD",
    identity: dict[str, str] | None = None,
    **payload: Any,
) -> dict[str, Any]:
    """A server-side event (webhook or CRM sync) as the connectors will emit it."""
    return event_row(
        profile_id=plane.profile.profile_id,
        event_id=f"srv-{next(_ids)}",
        anonymous_id="server",
        ts=at,
        type="track",
        name=name,
        revenue=amount,
        currency=currency if amount is not None else "",
        payload=orjson.dumps(payload).decode() if payload else "",
        identity=orjson.dumps(identity).decode() if identity else "",
        origin="webhook:test",
        url="",
        host="",
        path="",
        channel="",
    )


def browser(
    plane: Plane, name: str, at: dt.datetime = T0, visitor: str = "v1", **fields: Any
) -> dict[str, Any]:
    """An event of a visitor's browser (`page_view` makes a visit; `track` a tracked action)."""
    kind = "page_view" if name == "page_view" else fields.pop("type", "track")
    return event_row(
        profile_id=plane.profile.profile_id,
        event_id=f"web-{next(_ids)}",
        anonymous_id=visitor,
        ts=at,
        type=kind,
        name=name,
        **fields,
    )
