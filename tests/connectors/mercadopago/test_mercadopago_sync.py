"""MercadoPago's catch-up sync against recorded search answers: offset paging, pending payments
skipped, a failure kept as health with the cursor at the last page stored, resumed after."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.attribution.journeys import World, world
from tests.connectors.fixture_server import Answer, FixtureServer, recorded
from tests.connectors.mercadopago.signing import fixture

from touchline.connectors import service
from touchline.connectors.base import HttpOptions
from touchline.connectors.mercadopago.sync import Cursor
from touchline.control.db import Database
from touchline.control.repos import connections
from touchline.control.repos.connections import Health
from touchline.control.secrets import SecretBox
from touchline.ingest.importer import load_if_idle
from touchline.ingest.server_events import spool_submitter
from touchline.store import open_store
from touchline.store.base import Sql

NOW = datetime(2026, 10, 2, 12, tzinfo=UTC).timestamp()
SEARCH = "/v1/payments/search"
ROWS = "SELECT provider_ref, value, currency, campaign_id, utm_source, origin FROM conversions"


@pytest.fixture
def w(tmp_path: Path) -> World:
    return world(tmp_path, currency="BRL")


def page(w: World, name: str) -> Answer:
    """A recorded search page with the metadata naming this test's profile."""
    body = fixture(f"api/{name}.json")
    for result in body["results"]:
        result["metadata"] = {k: (w.profile.profile_id if v == "PROFILE_ID" else v)
                              for k, v in result["metadata"].items()}  # fmt: skip
        reference = str(result["external_reference"])
        result["external_reference"] = reference.replace("PROFILE_ID", w.profile.profile_id)
    return Answer.json(body)


def connect(w: World, database: Database, api: FixtureServer) -> str:
    record = service.connect(
        database=database, box=SecretBox.from_settings(w.settings), provider="mercadopago",
        profile_id=w.profile.profile_id, actor="test",
        values={"webhook_secret": "s", "access_token": "APP_USR-1", "api_base": api.url},
    )  # fmt: skip
    return record.id


def sync(w: World, database: Database, connection_id: str) -> service.SyncReport:
    http = HttpOptions(sleep=lambda _: None, max_retries=1, clock=lambda: NOW)
    with spool_submitter(w.settings) as submit:
        report = service.run_sync(
            database=database, box=SecretBox.from_settings(w.settings),
            connection_id=connection_id, submit=submit, http=http,
        )  # fmt: skip
    load_if_idle(w.settings)
    return report


def rows(w: World) -> list[tuple[Any, ...]]:
    store = open_store(w.settings.resolved_event_store_url)
    try:
        return sorted(store.query(Sql(ROWS)))
    finally:
        store.close()


def saved(database: Database, connection_id: str) -> Cursor:
    with database.read() as session:
        return Cursor.decode(connections.get(session, connection_id).cursors["payments"])


def test_the_search_is_read_page_by_page_by_offset(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    provider_api.route("GET", SEARCH, page(w, "search.page1"), page(w, "search.page2"))
    connection_id = connect(w, database, provider_api)
    report = sync(w, database, connection_id)
    assert (report.pages, report.events, report.health) == (2, 2, Health.OK)
    assert rows(w) == [
        ("1319862441", Decimal("150.5"), "BRL", "120210000000001", "facebook", "sync:mercadopago"),
        ("1319862777", Decimal(25000), "ARS", "", "google", "sync:mercadopago"),
    ]  # the pending Pix payment is no cash
    first, second = provider_api.requests
    assert first.query["offset"] == ["0"] and second.query["offset"] == ["2"]
    assert first.query["range"] == ["date_last_updated"]
    assert first.query["begin_date"] == ["2026-07-04T12:00:00.000+00:00"]  # 90 days back
    assert first.headers["authorization"] == "Bearer APP_USR-1"
    assert saved(database, connection_id) == Cursor(
        datetime.fromisoformat("2026-10-01T10:00:03.000-03:00")
    )


def test_a_failure_keeps_the_first_page_and_the_next_run_resumes_at_its_offset(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    limited = recorded("mercadopago/api/error.too_many_requests.json", 429)
    provider_api.route("GET", SEARCH, page(w, "search.page1"), limited)
    connection_id = connect(w, database, provider_api)
    failed = sync(w, database, connection_id)
    assert (failed.pages, failed.health) == (1, Health.RATE_LIMITED)
    assert saved(database, connection_id).offset == 2
    provider_api.route("GET", SEARCH, page(w, "search.page2"))
    assert sync(w, database, connection_id).health is Health.OK
    assert provider_api.requests[-1].query["offset"] == ["2"]
    assert [r[0] for r in rows(w)] == ["1319862441", "1319862777"]


def test_an_invalid_token_becomes_the_connections_health(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    provider_api.route("GET", SEARCH, recorded("mercadopago/api/error.invalid_token.json",
                                                     401))  # fmt: skip
    report = sync(w, database, connect(w, database, provider_api))
    assert report.health is Health.AUTH_EXPIRED
    assert report.error is not None and "invalid access token" in report.error
