"""Stripe's backfill against recorded API answers on a loopback server: charges page by page
(`created[gte]`, `starting_after`, `has_more`), refunds once each, failed charges skipped; a
rate limit or an expired key ends the run as health and the next run resumes from the cursor."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest
from tests.attribution.journeys import World
from tests.connectors.fixture_server import FixtureServer, recorded

from touchline.connectors import service
from touchline.connectors.base import HttpOptions
from touchline.connectors.stripe.sync import Cursor
from touchline.control.db import Database
from touchline.control.repos import connections
from touchline.control.repos.connections import Health
from touchline.control.secrets import SecretBox
from touchline.errors import InvalidParameter
from touchline.ingest.importer import load_if_idle
from touchline.ingest.server_events import spool_submitter
from touchline.jobs.sync_scheduler import due
from touchline.store import open_store
from touchline.store.base import Sql

NOW = datetime(2026, 10, 2, 12, tzinfo=UTC).timestamp()
PAGE_1 = recorded("stripe/api/charges.page1.json")
PAGE_2 = recorded("stripe/api/charges.page2.json")
RATE_LIMITED = recorded("stripe/api/error.rate_limit.json", 429, **{"Retry-After": "7"})
EXPIRED = recorded("stripe/api/error.expired_key.json", 401)


def connect(w: World, database: Database, api: FixtureServer, **values: str) -> str:
    record = service.connect(
        database=database, box=SecretBox.from_settings(w.settings), provider="stripe",
        profile_id=w.profile.profile_id, actor="test",
        values={"webhook_secret": "whsec_1", "api_key": "rk_live_1", "api_base": api.url,
                **values},
    )  # fmt: skip
    return record.id


def sync(
    w: World, database: Database, connection_id: str, *, retries: int = 5,
    since: date | None = None, waits: list[float] | None = None,
) -> service.SyncReport:  # fmt: skip
    http = HttpOptions(sleep=(waits if waits is not None else []).append, max_retries=retries,
                       clock=lambda: NOW)  # fmt: skip
    with spool_submitter(w.settings) as submit:
        report = service.run_sync(
            database=database, box=SecretBox.from_settings(w.settings),
            connection_id=connection_id, submit=submit, http=http, since=since,
        )  # fmt: skip
    load_if_idle(w.settings)
    return report


CONVERSION_ROWS = (
    "SELECT provider_ref, value, currency, refund_of <> '', identity_value, origin"
    " FROM conversions ORDER BY ts, provider_ref"
)


def conversions(w: World) -> list[tuple[Any, ...]]:
    store = open_store(w.settings.resolved_event_store_url)
    try:
        return store.query(Sql(CONVERSION_ROWS))
    finally:
        store.close()


def cursor(database: Database, connection_id: str) -> Cursor:
    with database.read() as session:
        return Cursor.decode(connections.get(session, connection_id).cursors["charges"])


def test_a_backfill_stores_each_page_with_amounts_in_major_units(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    provider_api.route("GET", "/v1/charges", PAGE_1, PAGE_2)
    connection_id = connect(w, database, provider_api)
    report = sync(w, database, connection_id)
    assert (report.pages, report.events, report.health) == (2, 4, Health.OK)
    assert conversions(w) == [
        ("pi_3QbClp004", Decimal(25000), "CLP", False, "camila@example.cl", "sync:stripe"),
        ("ch_3QbUsd002", Decimal(250), "USD", False, "receipts@acme.example", "sync:stripe"),
        ("pi_3QbJpy001", Decimal(12000), "JPY", False, "kenji@example.jp", "sync:stripe"),
        ("re_3QbUsd002A", Decimal(-50), "USD", True, "receipts@acme.example", "sync:stripe"),
    ]  # the declined charge is no payment
    first, second = provider_api.requests
    assert first.query["created[gte]"] == [str(int(NOW) - 90 * 86_400)]
    assert first.query["expand[]"] == ["data.customer", "data.refunds"]
    assert "starting_after" not in first.query
    assert second.query["starting_after"] == ["ch_3QbUsd002"]
    assert first.headers["authorization"] == "Bearer rk_live_1"
    assert cursor(database, connection_id) == Cursor(created_gte=1790942400)


def test_metadata_on_a_listed_charge_binds_its_campaign(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    provider_api.route("GET", "/v1/charges", PAGE_1, PAGE_2)
    sync(w, database, connect(w, database, provider_api))
    store = open_store(w.settings.resolved_event_store_url)
    try:
        rows = store.query(Sql("SELECT campaign_id, utm_source FROM conversions"
                               " WHERE provider_ref = 'ch_3QbUsd002'"))  # fmt: skip
    finally:
        store.close()
    assert rows == [("23851234567890123", "google")]


def test_a_rate_limit_that_outlasts_the_retries_keeps_the_first_page_and_resumes_after_it(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    provider_api.route("GET", "/v1/charges", PAGE_1, RATE_LIMITED)
    connection_id = connect(w, database, provider_api)
    waits: list[float] = []
    failed = sync(w, database, connection_id, retries=2, waits=waits)
    assert (failed.pages, failed.health) == (1, Health.RATE_LIMITED)
    assert waits == [7.0, 7.0]  # Retry-After honoured
    assert cursor(database, connection_id).starting_after == "ch_3QbUsd002"
    assert len(conversions(w)) == 3
    provider_api.route("GET", "/v1/charges", PAGE_2)
    resumed = sync(w, database, connection_id)
    assert resumed.health is Health.OK
    assert provider_api.requests[-1].query["starting_after"] == ["ch_3QbUsd002"]
    assert len(conversions(w)) == 4


def test_a_second_run_starts_at_the_newest_charge_and_stores_nothing_twice(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    provider_api.route("GET", "/v1/charges", PAGE_1, PAGE_2)
    connection_id = connect(w, database, provider_api)
    sync(w, database, connection_id)
    provider_api.route("GET", "/v1/charges", PAGE_1, PAGE_2)
    again = sync(w, database, connection_id)
    assert again.health is Health.OK
    assert provider_api.requests[2].query["created[gte]"] == ["1790942400"]
    assert len(conversions(w)) == 4


def test_since_restarts_the_backfill_from_that_day(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    provider_api.route("GET", "/v1/charges", PAGE_2)
    sync(w, database, connect(w, database, provider_api), since=date(2026, 9, 1))
    assert provider_api.requests[0].query["created[gte]"] == [
        str(int(datetime(2026, 9, 1, tzinfo=UTC).timestamp()))
    ]


def test_an_expired_key_becomes_the_connections_health(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    provider_api.route("GET", "/v1/charges", EXPIRED)
    connection_id = connect(w, database, provider_api)
    report = sync(w, database, connection_id)
    assert (report.health, report.pages) == (Health.AUTH_EXPIRED, 0)
    assert report.error is not None and "Expired API Key" in report.error
    assert len(provider_api.requests) == 1  # never retried


def test_a_connection_without_an_api_key_is_webhook_only(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    record = service.connect(
        database=database, box=SecretBox.from_settings(w.settings), provider="stripe",
        profile_id=w.profile.profile_id, values={"webhook_secret": "whsec_1"}, actor="test",
    )  # fmt: skip
    assert not due(record, datetime.now(UTC))
    with pytest.raises(InvalidParameter, match="--api-key"):
        sync(w, database, record.id)
    with database.read() as session:
        assert connections.get(session, record.id).last_sync_started_at is None
    assert provider_api.requests == []


def test_the_cursor_is_plain_json() -> None:
    text = Cursor(1790942400, "ch_1", 1790942500).encode()
    assert orjson.loads(text) == {
        "created_gte": 1790942400, "starting_after": "ch_1", "newest": 1790942500,
    }  # fmt: skip
    assert Cursor.decode(text) == Cursor(1790942400, "ch_1", 1790942500)
