"""Profiles repository: validation, defaults and the ingest context."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from touchline.control.db import Database
from touchline.control.repos import profiles, workspaces
from touchline.control.repos.workspaces import WorkspaceRecord
from touchline.errors import InvalidParameter, NotFound
from touchline.ingest.context import ProfileContext, SessionMode

ACTOR = "test"


def create(database: Database, workspace_id: str, **overrides: Any) -> profiles.ProfileRecord:
    values: dict[str, Any] = {"name": "Shop", **overrides}
    with database.transaction() as session:
        return profiles.create(session, workspace_id=workspace_id, actor=ACTOR, **values)


def test_defaults_follow_the_spec(database: Database, workspace: WorkspaceRecord) -> None:
    profile = create(database, workspace.id)
    assert profile.currency == "USD"
    assert profile.timezone == "UTC"
    assert profile.domains == ()
    assert profile.session_timeout_minutes == 30
    assert profile.session_mode is SessionMode.INACTIVITY_ONLY


def test_timezone_defaults_to_the_workspace_timezone(database: Database) -> None:
    with database.transaction() as session:
        workspace = workspaces.create(
            session, name="MX", timezone="America/Mexico_City", actor=ACTOR
        )
    assert create(database, workspace.id).timezone == "America/Mexico_City"
    assert create(database, workspace.id, timezone="Asia/Tokyo").timezone == "Asia/Tokyo"


def test_values_are_normalized_and_stored(database: Database, workspace: WorkspaceRecord) -> None:
    profile = create(
        database,
        workspace.id,
        currency="mxn",
        domains=["https://www.Shop.example/landing", "shop.example", "blog.shop.example:8080"],
        session_timeout_minutes=120,
        session_mode="inactivity_or_source_change",
    )
    with database.read() as session:
        stored = profiles.get(session, profile.id)
    assert stored == profile
    assert stored.currency == "MXN"
    assert stored.domains == ("shop.example", "blog.shop.example")
    assert stored.session_timeout_minutes == 120
    assert stored.session_mode is SessionMode.INACTIVITY_OR_SOURCE_CHANGE


@pytest.mark.parametrize(
    "overrides",
    [
        {"currency": "XYZ"},
        {"currency": "US"},
        {"timezone": "Europe/Atlantis"},
        {"session_timeout_minutes": 0},
        {"session_timeout_minutes": 121},
        {"session_mode": "source_change_only"},
        {"domains": ["not a domain"]},
        {"domains": ["nodot"]},
        {"name": "   "},
    ],
)
def test_invalid_values_are_refused(
    database: Database, workspace: WorkspaceRecord, overrides: dict[str, Any]
) -> None:
    with pytest.raises(InvalidParameter):
        create(database, workspace.id, **overrides)
    with database.read() as session:
        assert profiles.list_all(session) == []


@pytest.mark.parametrize("minutes", [1, 30, 120])
def test_timeout_bounds_are_inclusive(
    database: Database, workspace: WorkspaceRecord, minutes: int
) -> None:
    assert (
        create(database, workspace.id, session_timeout_minutes=minutes).session_timeout_minutes
        == minutes
    )


def test_database_enforces_the_timeout_range_too(
    database: Database, workspace: WorkspaceRecord
) -> None:
    profile = create(database, workspace.id)
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.execute(
            text("UPDATE profiles SET session_timeout_minutes = 500 WHERE id = :id"),
            {"id": profile.id},
        )


def test_unknown_workspace_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound):
        create(database, "00000000-0000-0000-0000-000000000000")


def test_get_and_list(database: Database, workspace: WorkspaceRecord) -> None:
    first = create(database, workspace.id)
    second = create(database, workspace.id, name="Clinic")
    with database.transaction() as session:
        other = workspaces.create(session, name="Other", actor=ACTOR)
    third = create(database, other.id)
    with database.read() as session:
        assert profiles.get(session, second.id) == second
        assert {p.id for p in profiles.list_all(session)} == {first.id, second.id, third.id}
        assert profiles.list_for_workspace(session, workspace_id=other.id) == [third]
        with pytest.raises(NotFound):
            profiles.get(session, "nope")


def test_context_carries_what_ingest_needs(database: Database, workspace: WorkspaceRecord) -> None:
    profile = create(
        database,
        workspace.id,
        timezone="Europe/Madrid",
        domains=["a.example", "b.example"],
        session_timeout_minutes=45,
        session_mode=SessionMode.INACTIVITY_OR_SOURCE_CHANGE,
    )
    assert profile.context() == ProfileContext(
        profile_id=profile.id,
        domains=frozenset({"a.example", "b.example"}),
        timezone="Europe/Madrid",
        session_timeout_minutes=45,
        session_mode=SessionMode.INACTIVITY_OR_SOURCE_CHANGE,
    )
