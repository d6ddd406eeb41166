"""Workspaces repository."""

from __future__ import annotations

import pytest

from touchline.control.db import Database
from touchline.control.repos import workspaces
from touchline.errors import InvalidParameter, NotFound

ACTOR = "test"


def test_created_workspace_can_be_read_back_and_listed(database: Database) -> None:
    with database.transaction() as session:
        created = workspaces.create(session, name="  Acme  ", timezone="Europe/Madrid", actor=ACTOR)
    with database.read() as session:
        assert workspaces.get(session, created.id) == created
        assert workspaces.list_all(session) == [created]
    assert created.name == "Acme"
    assert created.created_at.tzinfo is not None


@pytest.mark.parametrize(("name", "timezone"), [("", "UTC"), ("A", "Mars/Base"), ("A", "utc")])
def test_bad_name_or_timezone_is_refused(database: Database, name: str, timezone: str) -> None:
    with pytest.raises(InvalidParameter), database.transaction() as session:
        workspaces.create(session, name=name, timezone=timezone, actor=ACTOR)


def test_unknown_workspace_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound), database.read() as session:
        workspaces.get(session, "00000000-0000-0000-0000-000000000000")


def test_single_needs_exactly_one_workspace(database: Database) -> None:
    with pytest.raises(InvalidParameter, match="no workspace"), database.read() as session:
        workspaces.single(session)
    with database.transaction() as session:
        only = workspaces.create(session, name="A", actor=ACTOR)
        assert workspaces.single(session) == only
        workspaces.create(session, name="B", actor=ACTOR)
        with pytest.raises(InvalidParameter, match="2 workspaces"):
            workspaces.single(session)
