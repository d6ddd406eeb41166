"""Control-plane fixtures: a migrated database (SQLite and PostgreSQL) and small factories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from touchline.control.db import Database
from touchline.control.repos import profiles, workspaces
from touchline.control.repos.profiles import ProfileRecord
from touchline.control.repos.workspaces import WorkspaceRecord
from touchline.settings import Settings

ACTOR = "test"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def database(control_settings: Settings) -> Iterator[Database]:
    database = Database.open(control_settings)
    database.migrate()
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def workspace(database: Database) -> WorkspaceRecord:
    with database.transaction() as session:
        return workspaces.create(session, name="Acme Agency", actor=ACTOR, now=T0)


@pytest.fixture
def profile(database: Database, workspace: WorkspaceRecord) -> ProfileRecord:
    with database.transaction() as session:
        return profiles.create(
            session,
            workspace_id=workspace.id,
            name="Client Shop",
            domains=["shop.example"],
            actor=ACTOR,
            now=T0,
        )
