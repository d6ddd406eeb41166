"""Connections: secrets sealed (never in listings or the audit log), cursors, health."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from touchline.control.db import Database
from touchline.control.repos import audit, connections
from touchline.control.repos.connections import Health
from touchline.control.repos.profiles import ProfileRecord
from touchline.control.secrets import SecretBox
from touchline.errors import NotFound
from touchline.settings import Settings

ACTOR = "test"
SECRET = "whsec_very_secret_value"


@pytest.fixture
def box(tmp_path: Path) -> SecretBox:
    return SecretBox.from_settings(Settings(data_dir=tmp_path, secret_key="test key"))


@pytest.mark.postgres
def test_a_connection_keeps_its_secrets_sealed(
    database: Database, profile: ProfileRecord, box: SecretBox
) -> None:
    with database.transaction() as session:
        made = connections.create(
            session, box=box, profile_id=profile.id, provider="stripe",
            config={"account_id": "acct_1"}, secrets={"webhook_secret": SECRET}, actor=ACTOR,
        )  # fmt: skip
    assert made.secret_names == ("webhook_secret",) and made.secrets == {}
    with database.read() as session:
        [(stored,)] = session.execute(text("SELECT secrets FROM connections")).all()
        listed = connections.list_for_profile(session, profile_id=profile.id)
        opened = connections.open_(session, box=box, connection_id=made.id)
        entries = audit.list_recent(session)
    assert SECRET not in stored
    assert SECRET not in repr(listed)
    assert opened.secrets == {"webhook_secret": SECRET}
    assert SECRET not in repr(opened)
    assert entries[0].action is audit.AuditAction.CONNECTION_CREATED
    assert SECRET not in str(entries[0].details)


@pytest.mark.postgres
def test_reconnecting_replaces_given_secrets_and_keeps_the_rest(
    database: Database, profile: ProfileRecord, box: SecretBox
) -> None:
    with database.transaction() as session:
        made = connections.create(
            session, box=box, profile_id=profile.id, provider="shopify",
            config={"shop": "a.myshopify.com"},
            secrets={"webhook_secret": "s1", "access_token": "t1"}, actor=ACTOR,
        )  # fmt: skip
        connections.save_cursor(session, connection_id=made.id, stream="orders", cursor="c9")
        connections.reconnect(
            session, box=box, connection_id=made.id, config={}, secrets={"access_token": "t2"},
            actor=ACTOR,
        )  # fmt: skip
    with database.read() as session:
        opened = connections.open_(session, box=box, connection_id=made.id)
    assert opened.secrets == {"webhook_secret": "s1", "access_token": "t2"}
    assert opened.cursors == {"orders": "c9"}
    assert opened.config == {"shop": "a.myshopify.com"}


@pytest.mark.postgres
def test_sync_outcomes_become_health_and_freshness(
    database: Database, profile: ProfileRecord, box: SecretBox
) -> None:
    t1, t2 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    with database.transaction() as session:
        made = connections.create(
            session, box=box, profile_id=profile.id, provider="meta", config={},
            secrets={}, actor=ACTOR,
        )  # fmt: skip
        connections.sync_finished(
            session, connection_id=made.id, now=t1, events=10, health=Health.OK
        )
        connections.sync_finished(
            session, connection_id=made.id, now=t2, events=0, health=Health.AUTH_EXPIRED,
            error="token expired",
        )  # fmt: skip
    with database.read() as session:
        record = connections.get(session, made.id)
    assert record.health is Health.AUTH_EXPIRED and record.last_error == "token expired"
    assert record.last_success_at == t1 and record.last_sync_at == t2
    assert record.last_data_at == t1 and record.events_received == 10


def test_an_unknown_connection_is_not_found(database: Database) -> None:
    with database.read() as session, pytest.raises(NotFound):
        connections.get(session, "nope")
