"""Tracking keys repository and the key → profile resolution the collect path uses."""

from __future__ import annotations

import pytest

from touchline.control.db import Database
from touchline.control.repos import audit, tracking_keys
from touchline.control.repos.profiles import ProfileRecord
from touchline.errors import Conflict, InvalidParameter, NotFound

ACTOR = "test"


def test_issued_keys_are_trk_live_and_resolve_to_the_profile(
    database: Database, profile: ProfileRecord
) -> None:
    with database.transaction() as session:
        record = tracking_keys.create(session, profile_id=profile.id, actor=ACTOR)
    assert record.key.startswith("trk_live_") and record.active
    with database.read() as session:
        assert tracking_keys.resolve_tracking_key(session, record.key) == profile.context()


def test_an_adopted_trk_key_is_accepted(database: Database, profile: ProfileRecord) -> None:
    with database.transaction() as session:
        record = tracking_keys.create(
            session, profile_id=profile.id, key="trk_legacy12345", actor=ACTOR
        )
    with database.read() as session:
        assert tracking_keys.resolve_tracking_key(session, "trk_legacy12345") == profile.context()
    assert record.key == "trk_legacy12345"


@pytest.mark.parametrize("key", ["atb_live_abcdefgh", "trk_", "trk_has space1"])
def test_adopting_a_malformed_key_is_refused(
    database: Database, profile: ProfileRecord, key: str
) -> None:
    with pytest.raises(InvalidParameter), database.transaction() as session:
        tracking_keys.create(session, profile_id=profile.id, key=key, actor=ACTOR)


def test_a_key_cannot_be_taken_twice(database: Database, profile: ProfileRecord) -> None:
    with database.transaction() as session:
        tracking_keys.create(session, profile_id=profile.id, key="trk_shared1234", actor=ACTOR)
    with pytest.raises(Conflict), database.transaction() as session:
        tracking_keys.create(session, profile_id=profile.id, key="trk_shared1234", actor=ACTOR)


@pytest.mark.parametrize("key", ["trk_live_doesnotexist1", "", "not-a-key", "x" * 10_000])
def test_unknown_keys_resolve_to_none(database: Database, profile: ProfileRecord, key: str) -> None:
    with database.read() as session:
        assert tracking_keys.resolve_tracking_key(session, key) is None


@pytest.mark.parametrize("by", ["id", "key"])
def test_a_revoked_key_no_longer_resolves(
    database: Database, profile: ProfileRecord, by: str
) -> None:
    with database.transaction() as session:
        record = tracking_keys.create(session, profile_id=profile.id, actor=ACTOR)
        other = tracking_keys.create(session, profile_id=profile.id, actor=ACTOR)
    with database.transaction() as session:
        revoked = tracking_keys.revoke(
            session, key_id=record.id if by == "id" else record.key, actor=ACTOR
        )
    assert not revoked.active
    with database.read() as session:
        assert tracking_keys.resolve_tracking_key(session, record.key) is None
        assert tracking_keys.resolve_tracking_key(session, other.key) == profile.context()
        listed = tracking_keys.list_for_profile(session, profile_id=profile.id)
    assert [(r.id, r.active) for r in listed] == [(record.id, False), (other.id, True)]


def test_revoking_unknown_key_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound), database.transaction() as session:
        tracking_keys.revoke(session, key_id="trk_live_nothere123", actor=ACTOR)


def test_listing_an_unknown_profile_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound), database.read() as session:
        tracking_keys.list_for_profile(session, profile_id="missing")


def test_creation_and_revocation_are_audited(database: Database, profile: ProfileRecord) -> None:
    with database.transaction() as session:
        record = tracking_keys.create(session, profile_id=profile.id, actor="alice")
        tracking_keys.revoke(session, key_id=record.id, actor="bob")
    with database.read() as session:
        entries = audit.list_recent(session, workspace_id=profile.workspace_id, limit=2)
    assert [(e.action, e.actor, e.target_id) for e in entries] == [
        (audit.AuditAction.TRACKING_KEY_REVOKED, "bob", record.id),
        (audit.AuditAction.TRACKING_KEY_CREATED, "alice", record.id),
    ]
