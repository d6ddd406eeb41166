"""The connectors service: connect validates options; a sync saves each page's cursor only
once the page is durable, resumes from it, and reports its outcome as connection health."""

from __future__ import annotations

import logging

import pytest
from tests.attribution.journeys import World
from tests.connectors.fake import Script, fake_connector

from touchline.connectors import service
from touchline.connectors.base import HttpOptions, ProviderAuthExpired, ProviderUnavailable
from touchline.control.db import Database
from touchline.control.repos import audit, connections
from touchline.control.repos.connections import Health
from touchline.control.secrets import SecretBox
from touchline.errors import InvalidParameter
from touchline.ingest.importer import load_if_idle
from touchline.ingest.server_events import spool_submitter
from touchline.store import open_store
from touchline.store.base import Sql

__all__ = ["fake_connector"]


def connect(w: World, database: Database, **values: str) -> str:
    record = service.connect(
        database=database, box=SecretBox.from_settings(w.settings), provider="stripe",
        profile_id=w.profile.profile_id, values={"webhook_secret": "s", **values}, actor="t",
    )  # fmt: skip
    return record.id


def sync(w: World, database: Database, connection_id: str) -> service.SyncReport:
    with spool_submitter(w.settings) as submit:
        report = service.run_sync(
            database=database, box=SecretBox.from_settings(w.settings),
            connection_id=connection_id, submit=submit, http=HttpOptions(sleep=lambda _: None),
        )  # fmt: skip
    load_if_idle(w.settings)
    return report


def payment_refs(w: World) -> list[str]:
    store = open_store(w.settings.resolved_event_store_url)
    try:
        rows = store.query(Sql("SELECT provider_ref FROM conversions ORDER BY provider_ref"))
    finally:
        store.close()
    return [ref for (ref,) in rows]


def test_options_are_checked_against_the_connector(
    w: World, database: Database, fake_connector: Script
) -> None:
    with pytest.raises(InvalidParameter, match="needs --webhook-secret"):
        service.connect(
            database=database, box=SecretBox.from_settings(w.settings), provider="stripe",
            profile_id=w.profile.profile_id, values={"api_key": "sk"}, actor="t",
        )  # fmt: skip
    with pytest.raises(InvalidParameter, match="does not take --shop"):
        connect(w, database, shop="x.myshopify.com")
    with pytest.raises(InvalidParameter, match="unknown provider"):
        service.connect(
            database=database, box=SecretBox.from_settings(w.settings), provider="paypal",
            profile_id=w.profile.profile_id, values={}, actor="t",
        )  # fmt: skip


def test_a_switch_is_true_or_false(w: World, database: Database) -> None:
    values = {"shop": "s", "webhook_secret": "s", "paid_orders_as_cash": "yes"}
    with pytest.raises(InvalidParameter, match='--paid-orders-as-cash is on or off: "true"'):
        service.connect(
            database=database, box=SecretBox.from_settings(w.settings), provider="shopify",
            profile_id=w.profile.profile_id, values=values, actor="t",
        )  # fmt: skip
    record = service.connect(
        database=database, box=SecretBox.from_settings(w.settings), provider="shopify",
        profile_id=w.profile.profile_id, values={**values, "paid_orders_as_cash": "true"},
        actor="t",
    )  # fmt: skip
    assert record.config["paid_orders_as_cash"] == "true"


def test_a_sync_stores_every_page_and_saves_the_last_cursor(
    w: World, database: Database, fake_connector: Script
) -> None:
    fake_connector.pages = [["p1", "p2"], ["p3"]]
    connection_id = connect(w, database, account_id="acct_1")
    report = sync(w, database, connection_id)
    assert (report.pages, report.events, report.health) == (2, 3, Health.OK)
    assert payment_refs(w) == ["p1", "p2", "p3"]
    with database.read() as session:
        record = connections.get(session, connection_id)
    assert record.cursors == {"payments": "2"}
    assert record.health is Health.OK and record.last_success_at is not None


def test_a_failure_keeps_the_pages_before_it_and_the_next_run_resumes_after_them(
    w: World, database: Database, fake_connector: Script
) -> None:
    fake_connector.pages = [["p1"], ["p2"], ["p3"]]
    fake_connector.fail_at, fake_connector.failure = 1, ProviderUnavailable("HTTP 503")
    connection_id = connect(w, database)
    failed = sync(w, database, connection_id)
    assert (failed.pages, failed.health, failed.error) == (1, Health.UNAVAILABLE, "HTTP 503")
    assert payment_refs(w) == ["p1"]
    fake_connector.fail_at = None
    resumed = sync(w, database, connection_id)
    assert resumed.health is Health.OK
    assert fake_connector.started_from == ["0", "1"]
    assert payment_refs(w) == ["p1", "p2", "p3"]


def test_an_expired_token_is_reported_until_someone_reconnects(
    w: World, database: Database, fake_connector: Script
) -> None:
    fake_connector.pages = [["p1"]]
    fake_connector.fail_at, fake_connector.failure = 0, ProviderAuthExpired("token expired")
    connection_id = connect(w, database)
    assert sync(w, database, connection_id).health is Health.AUTH_EXPIRED
    with database.read() as session:
        record = connections.get(session, connection_id)
    assert (record.health, record.last_error) == (Health.AUTH_EXPIRED, "token expired")
    service.connect(
        database=database, box=SecretBox.from_settings(w.settings), provider="stripe",
        profile_id=w.profile.profile_id, values={"api_key": "sk_new"}, actor="t",
        connection_id=connection_id,
    )  # fmt: skip
    with database.read() as session:
        assert connections.get(session, connection_id).health is Health.NEVER


def test_secrets_never_reach_the_logs(
    w: World, database: Database, fake_connector: Script, caplog: pytest.LogCaptureFixture
) -> None:
    secret, key = "whsec_do_not_log_me_123", "sk_live_do_not_log_me_456"
    caplog.set_level(logging.DEBUG)
    fake_connector.pages = [["p1"], ["p2"]]
    fake_connector.fail_at, fake_connector.failure = 1, ProviderAuthExpired("token expired")
    record = service.connect(
        database=database, box=SecretBox.from_settings(w.settings), provider="stripe",
        profile_id=w.profile.profile_id, values={"webhook_secret": secret, "api_key": key},
        actor="t",
    )  # fmt: skip
    sync(w, database, record.id)
    with database.read() as session:
        listed = repr(connections.list_for_profile(session, profile_id=w.profile.profile_id))
        entries = repr(audit.list_recent(session))
    for text in (caplog.text, listed, entries):
        assert secret not in text and key not in text
    assert "token expired" in caplog.text  # the failure itself is logged
