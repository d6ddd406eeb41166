"""The identity mirror on both event-plane engines: changed identifiers reach `identity_map`
with visitor keys, superseded rows go, and a repeated or interrupted sync changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from tests.identity.graph_helpers import T0, ids, resolve

from touchline.control.db import Database
from touchline.control.repos.profiles import ProfileRecord
from touchline.domain.visitors import visitor_key
from touchline.identity import mirror
from touchline.identity.graph import next_identifier_version, unmerge
from touchline.identity.mirror import sync_identity_map
from touchline.store.base import EventStore, Sql


def mapped(store: EventStore) -> list[tuple[Any, ...]]:
    return store.query(
        Sql(
            "SELECT kind, value, visitor_key, customer_id, version FROM identity_map"
            " ORDER BY kind, value, version"
        )
    )


def test_changed_identifiers_are_mirrored_with_visitor_keys(
    database: Database, profile: ProfileRecord, event_store: EventStore
) -> None:
    who = resolve(database, profile.id, ids("anon-1", email="m@x.io")).customer_id

    assert sync_identity_map(database=database, store=event_store) == 2

    rows = mapped(event_store)
    assert [(k, v, key, c) for k, v, key, c, _ in rows] == [
        ("anonymous_id", "anon-1", visitor_key(profile.id, "anon-1"), who),
        ("email", "m@x.io", 0, who),
    ]
    assert sync_identity_map(database=database, store=event_store) == 0
    assert mapped(event_store) == rows


def test_a_merge_and_its_unmerge_replace_the_rows_they_supersede(
    database: Database, profile: ProfileRecord, event_store: EventStore
) -> None:
    phone = resolve(database, profile.id, ids("p", phone="+14155552671")).customer_id
    mail = resolve(database, profile.id, ids("e", email="s@x.io")).customer_id
    sync_identity_map(database=database, store=event_store)
    [merge_id] = resolve(database, profile.id, ids(email="s@x.io", phone="+14155552671")).merge_ids

    assert sync_identity_map(database=database, store=event_store) == 2  # phone and "p" moved
    assert {(k, v): c for k, v, _, c, _ in mapped(event_store)} == {
        ("anonymous_id", "e"): mail,
        ("anonymous_id", "p"): mail,
        ("email", "s@x.io"): mail,
        ("phone", "+14155552671"): mail,
    }

    with database.transaction() as session:
        version = next_identifier_version(session, 0)
        unmerge(session, merge_id, now=T0, version=version)
    sync_identity_map(database=database, store=event_store)

    rows = mapped(event_store)
    assert len(rows) == 4  # one row per identifier at rest
    owners = {(k, v): c for k, v, _, c, _ in rows}
    assert owners[("phone", "+14155552671")] == owners[("anonymous_id", "p")] == phone
    assert owners[("email", "s@x.io")] == mail


def test_rows_a_sync_left_above_its_watermark_are_written_once(
    database: Database, profile: ProfileRecord, event_store: EventStore
) -> None:
    resolve(database, profile.id, ids("anon-2", email="i@x.io"))
    changed = mirror.changed_since(database, 0)
    event_store.append("identity_map", mirror.arrow_rows(changed))  # then it stopped

    assert sync_identity_map(database=database, store=event_store) == 2
    assert len(mapped(event_store)) == 2


def test_a_long_backlog_is_mirrored_in_pages_of_whole_versions(
    database: Database,
    profile: ProfileRecord,
    event_store: EventStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mirror, "PAGE", 3)
    resolve(database, profile.id, *(ids(f"a{i}", email=f"p{i}@x.io") for i in range(4)))  # 8
    resolve(database, profile.id, ids("b", email="q@x.io"))  # 2 more, a later version

    first = mirror.changed_since(database, 0)
    assert len(first) == 8  # a version is never split, even when larger than a page

    assert sync_identity_map(database=database, store=event_store) == 10
    assert len(mapped(event_store)) == 10
