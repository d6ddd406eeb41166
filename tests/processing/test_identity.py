"""The after-load identity step: which events carry identities, whose ids count, bad input, and
the mirror it runs after resolving (both control planes, both event-plane engines)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import orjson
import pytest
from tests.store.engines import T0, event_row, event_table

from touchline.control.db import Database
from touchline.control.repos import profiles, workspaces
from touchline.ingest.context import ProfileContext
from touchline.processing.identity import link_identities
from touchline.settings import Settings
from touchline.store.base import EventStore, Sql

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(control_settings: Settings) -> Iterator[Database]:
    database = Database.open(control_settings)
    database.migrate()
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def profile(database: Database) -> ProfileContext:
    with database.transaction() as session:
        workspace = workspaces.create(session, name="W", actor="test")
        record = profiles.create(session, workspace_id=workspace.id, name="P", actor="test")
    return ProfileContext(profile_id=record.id, phone_region="MX")


def identified(profile: ProfileContext, identity: Any, *, minutes: int = 0, **fields: Any) -> Any:
    body = identity if isinstance(identity, str) else orjson.dumps(identity).decode()
    return event_row(
        profile_id=profile.profile_id,
        ts=T0 + timedelta(minutes=minutes),
        type="identify",
        name="identify",
        identity=body,
        **fields,
    )


def link(database: Database, store: EventStore, profile: ProfileContext, *rows: Any) -> int:
    return link_identities(
        database=database,
        store=store,
        new_rows=event_table(list(rows)),
        profiles={profile.profile_id: profile},
    )


def mapped(store: EventStore) -> dict[tuple[str, str], str]:
    rows = store.query(Sql("SELECT kind, value, customer_id FROM identity_map"))
    return {(str(k), str(v)): str(c) for k, v, c in rows}


def test_a_browser_identify_links_its_visitor_and_mirrors_the_graph(
    database: Database, event_store: EventStore, profile: ProfileContext
) -> None:
    written = link(
        database,
        event_store,
        profile,
        identified(profile, {"email": "A@x.io", "phone": "55 1234 5678"}, anonymous_id="v1"),
        event_row(profile_id=profile.profile_id, anonymous_id="v2"),  # no identity: ignored
    )

    assert written == 3
    graph = mapped(event_store)
    assert set(graph) == {
        ("email", "a@x.io"),
        ("phone", "+525512345678"),  # the profile's phone region (MX)
        ("anonymous_id", "v1"),
    }
    assert len(set(graph.values())) == 1


def test_a_server_events_anonymous_id_names_no_visitor(
    database: Database, event_store: EventStore, profile: ProfileContext
) -> None:
    link(
        database,
        event_store,
        profile,
        identified(profile, {"email": "pay@x.io"}, anonymous_id="server", origin="webhook:stripe"),
    )
    assert set(mapped(event_store)) == {("email", "pay@x.io")}


def test_a_server_event_bound_to_a_visitor_links_that_visitor(
    database: Database, event_store: EventStore, profile: ProfileContext
) -> None:
    """Payment Link metadata or a cart attribute carried our tracker's anonymous id."""
    bound = orjson.dumps({"anonymous_id": "v9", "provider_ref": "pi_9"}).decode()
    link(
        database,
        event_store,
        profile,
        identified(
            profile,
            {"email": "paid@x.io"},
            anonymous_id="server:stripe:1",
            origin="webhook:stripe",
            payload=bound,
        ),
    )
    graph = mapped(event_store)
    assert set(graph) == {("email", "paid@x.io"), ("anonymous_id", "v9")}
    assert len(set(graph.values())) == 1


def test_a_replayed_batch_writes_nothing(
    database: Database, event_store: EventStore, profile: ProfileContext
) -> None:
    rows = [
        identified(profile, {"email": "r@x.io"}, anonymous_id="v1"),
        identified(profile, {"email": "r@x.io", "user_id": "u-7"}, anonymous_id="v2", minutes=1),
    ]
    assert link(database, event_store, profile, *rows) == 4  # email, user id, two visitors
    graph = mapped(event_store)
    assert link(database, event_store, profile, *rows) == 0
    assert mapped(event_store) == graph


def test_bad_input_is_skipped_never_raised(
    database: Database,
    event_store: EventStore,
    profile: ProfileContext,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stranger = ProfileContext(profile_id="no-such-profile")
    with caplog.at_level(logging.WARNING):
        written = link(
            database,
            event_store,
            profile,
            identified(profile, "{not json", anonymous_id="v1"),
            identified(profile, '["a list"]', anonymous_id="v2"),
            identified(profile, {"email": "nope", "phone": True}, anonymous_id="v3"),
            identified(stranger, {"email": "s@x.io"}, anonymous_id="v4"),
        )

    assert written == 1  # v3's visitor; its invalid email is kept aside, unmatched
    assert set(mapped(event_store)) == {("anonymous_id", "v3")}
    assert "malformed identity JSON" in caplog.text
    assert "unknown profile no-such-profile" in caplog.text
