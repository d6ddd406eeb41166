"""API keys repository: shown once, stored hashed, scopes, rotation grace, revocation."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from touchline.control.db import Database
from touchline.control.repos import api_keys, audit
from touchline.control.repos.api_keys import IssuedKey
from touchline.control.repos.profiles import ProfileRecord
from touchline.domain.keys import KeyStatus, Scope
from touchline.errors import Conflict, InvalidParameter, NotFound

ACTOR = "test"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def issue(database: Database, profile: ProfileRecord, **options: Any) -> IssuedKey:
    with database.transaction() as session:
        return api_keys.create(session, profile_id=profile.id, actor=ACTOR, now=T0, **options)


def authenticate(database: Database, plaintext: str, hours: float) -> api_keys.ApiKeyRecord | None:
    with database.transaction() as session:
        return api_keys.authenticate(session, plaintext, T0 + timedelta(hours=hours))


def test_key_is_returned_once_and_only_its_hash_is_stored(
    database: Database, profile: ProfileRecord
) -> None:
    issued = issue(database, profile)
    assert issued.plaintext.startswith("atb_live_")
    with database.read() as session:
        rows = session.execute(text("SELECT * FROM api_keys")).mappings().all()
        dump = repr(rows) + repr(session.execute(text("SELECT * FROM audit_events")).all())
    assert len(rows) == 1
    assert rows[0]["key_hash"] == hashlib.sha256(issued.plaintext.encode()).hexdigest()
    assert issued.plaintext not in dump
    assert issued.plaintext[len("atb_live_") + 8 :] not in dump
    assert rows[0]["prefix"] == issued.record.prefix == issued.plaintext[:17]


def test_new_keys_get_the_default_scopes_and_rate_limit(
    database: Database, profile: ProfileRecord
) -> None:
    record = issue(database, profile).record
    assert record.scopes == {
        Scope.ANALYTICS_READ,
        Scope.CAMPAIGNS_READ,
        Scope.CONVERSIONS_READ,
        Scope.REALTIME_READ,
    }
    assert not record.has_scope(Scope.CUSTOMERS_READ)
    assert record.rate_limit_per_minute == 60
    assert record.status(T0) is KeyStatus.ACTIVE


def test_pii_scopes_only_when_granted(database: Database, profile: ProfileRecord) -> None:
    record = issue(database, profile, scopes="analytics:read,customers:read,visitors:read").record
    assert record.scopes == {Scope.ANALYTICS_READ, Scope.CUSTOMERS_READ, Scope.VISITORS_READ}


@pytest.mark.parametrize("scopes", ["", "analytics:read,everything", "admin"])
def test_unknown_or_empty_scopes_are_refused(
    database: Database, profile: ProfileRecord, scopes: str
) -> None:
    with pytest.raises(InvalidParameter):
        issue(database, profile, scopes=scopes)


def test_key_for_unknown_profile_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound), database.transaction() as session:
        api_keys.create(session, profile_id="missing", actor=ACTOR)


def test_authenticate_accepts_the_key_and_records_its_use(
    database: Database, profile: ProfileRecord
) -> None:
    issued = issue(database, profile)
    found = authenticate(database, issued.plaintext, hours=1)
    assert found is not None and found.id == issued.record.id
    assert found.profile_id == profile.id
    assert found.last_used_at == T0 + HOUR
    # Within the resolution the stored time is not rewritten; after it, it is.
    assert authenticate(database, issued.plaintext, hours=1.01) == found
    later = authenticate(database, issued.plaintext, hours=2)
    assert later is not None and later.last_used_at == T0 + 2 * HOUR
    with database.read() as session:
        assert api_keys.get(session, issued.record.id).last_used_at == T0 + 2 * HOUR


def last_char_changed(key: str) -> str:
    return key[:-1] + ("A" if key[-1] != "A" else "B")


@pytest.mark.parametrize(
    "mangle",
    [last_char_changed, lambda key: key[:-1], lambda key: "Bearer " + key, lambda key: ""],
    ids=["other-secret", "truncated", "with-scheme", "empty"],
)
def test_authenticate_refuses_wrong_keys(
    database: Database, profile: ProfileRecord, mangle: Callable[[str], str]
) -> None:
    issued = issue(database, profile)
    assert authenticate(database, mangle(issued.plaintext), hours=0) is None


def test_revocation_is_instant(database: Database, profile: ProfileRecord) -> None:
    issued = issue(database, profile)
    with database.transaction() as session:
        revoked = api_keys.revoke(session, key_id=issued.record.id, actor=ACTOR, now=T0 + HOUR)
    assert revoked.status(T0 + HOUR) is KeyStatus.REVOKED
    assert authenticate(database, issued.plaintext, hours=1) is None
    with database.transaction() as session:
        again = api_keys.revoke(session, key_id=issued.record.id, actor=ACTOR, now=T0 + 5 * HOUR)
    assert again.revoked_at == T0 + HOUR


def test_an_expired_key_is_refused(database: Database, profile: ProfileRecord) -> None:
    issued = issue(database, profile, expires_at=T0 + HOUR)
    assert authenticate(database, issued.plaintext, hours=0.5) is not None
    assert authenticate(database, issued.plaintext, hours=1) is None


def test_rotation_keeps_the_old_key_for_48_hours(
    database: Database, profile: ProfileRecord
) -> None:
    old = issue(database, profile, name="reporting", scopes="analytics:read,visitors:read")
    with database.transaction() as session:
        new = api_keys.rotate(session, key_id=old.record.id, actor=ACTOR, now=T0 + HOUR)
    assert new.plaintext != old.plaintext
    assert new.record.replaces_key_id == old.record.id
    assert new.record.name == "reporting"
    assert new.record.scopes == old.record.scopes
    assert authenticate(database, old.plaintext, hours=48.9) is not None
    assert authenticate(database, old.plaintext, hours=49) is None
    assert authenticate(database, new.plaintext, hours=49) is not None
    with database.read() as session:
        listed = api_keys.list_for_profile(session, profile_id=profile.id)
    assert [key.id for key in listed] == [old.record.id, new.record.id]
    assert listed[0].expires_at == T0 + 49 * HOUR


def test_rotating_a_revoked_or_expired_key_is_a_conflict(
    database: Database, profile: ProfileRecord
) -> None:
    issued = issue(database, profile, expires_at=T0 + HOUR)
    with pytest.raises(Conflict), database.transaction() as session:
        api_keys.rotate(session, key_id=issued.record.id, actor=ACTOR, now=T0 + 2 * HOUR)
    with database.transaction() as session:
        api_keys.revoke(session, key_id=issued.record.id, actor=ACTOR, now=T0)
    with pytest.raises(Conflict), database.transaction() as session:
        api_keys.rotate(session, key_id=issued.record.id, actor=ACTOR, now=T0)


def test_unknown_key_ids_are_not_found(database: Database) -> None:
    with database.transaction() as session:
        with pytest.raises(NotFound):
            api_keys.revoke(session, key_id="missing", actor=ACTOR)
        with pytest.raises(NotFound):
            api_keys.rotate(session, key_id="missing", actor=ACTOR)


def test_every_key_change_is_audited(database: Database, profile: ProfileRecord) -> None:
    issued = issue(database, profile)
    with database.transaction() as session:
        new = api_keys.rotate(session, key_id=issued.record.id, actor="alice", now=T0 + HOUR)
        api_keys.revoke(session, key_id=new.record.id, actor="bob", now=T0 + 2 * HOUR)
    with database.read() as session:
        entries = audit.list_recent(session, workspace_id=profile.workspace_id)
    actions = [(e.action, e.actor, e.target_id) for e in entries[:3]]
    assert actions == [
        (audit.AuditAction.API_KEY_REVOKED, "bob", new.record.id),
        (audit.AuditAction.API_KEY_ROTATED, "alice", issued.record.id),
        (audit.AuditAction.API_KEY_CREATED, ACTOR, issued.record.id),
    ]
    assert entries[1].details["new_key_id"] == new.record.id
