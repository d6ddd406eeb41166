"""GoHighLevel end to end: a running app, a connection, a sync against a loopback server with
recorded API answers (two pages per list, a 429 first), workflow webhooks with the
connection's token, an expired token; then leads, stages, bookings, calendar records and
credits: a Meta lead-form lead gets a synthetic touch and its campaign the credit, a deal's
value stays pipeline and never becomes cash."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from httpx2 import Response
from tests.connectors.fixture_server import FixtureServer, recorded
from tests.serving import Served, serving

from touchline.connectors import service
from touchline.connectors.base import HttpOptions
from touchline.control.repos import connections
from touchline.control.repos.connections import Health
from touchline.ingest.server_events import SpoolSubmitter
from touchline.store.base import Sql

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ghl"
LOCATION = "ve9EPM428h8vShlRW1KT"
SECRET = "tl_ghl_e2e_93ad"
META_LEAD = "8UmXGIfWq3v5aJkO1d2x"
CAMPAIGN = "120212345678900001"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path / "data", sync_scheduler=False) as served:
        yield served


def connect(served: Served, api: FixtureServer) -> str:
    record = service.connect(
        database=served.runtime.database, box=served.runtime.secret_box, provider="ghl",
        profile_id=served.profile_id, actor="test",
        values={"location_id": LOCATION, "access_token": "pit-e2e", "webhook_secret": SECRET,
                "api_base": api.url},
    )  # fmt: skip
    return record.id


def serve_location(api: FixtureServer) -> None:
    limited = recorded("ghl/rate_limited.json", 429, **{"Retry-After": "1"})
    api.route("GET", "/contacts/", limited, recorded("ghl/contacts_page_1.json"),
              recorded("ghl/contacts_page_2.json"))  # fmt: skip
    api.route("GET", "/opportunities/pipelines", recorded("ghl/pipelines.json"))
    api.route("GET", f"/locations/{LOCATION}", recorded("ghl/location.json"))
    api.route("GET", "/opportunities/search", recorded("ghl/opportunities_page_1.json"),
              recorded("ghl/opportunities_page_2.json"))  # fmt: skip
    api.route("GET", "/calendars/", recorded("ghl/calendars.json"))
    api.route("GET", "/calendars/events", recorded("ghl/calendar_events_consultations.json"),
              recorded("ghl/calendar_events_treatment.json"))  # fmt: skip


def sync(served: Served, connection_id: str, waits: list[float]) -> service.SyncReport:
    return service.run_sync(
        database=served.runtime.database, box=served.runtime.secret_box,
        connection_id=connection_id, http=HttpOptions(sleep=waits.append),
        submit=SpoolSubmitter(pipeline=served.runtime.pipeline, spool=served.runtime.spool),
    )  # fmt: skip


def post(served: Served, connection_id: str, fixture: str, token: str = SECRET) -> Response:
    raw = (FIXTURES / fixture).read_bytes()
    return served.client.post(
        f"/webhooks/ghl/{connection_id}", params={"token": token}, content=raw,
        headers={"Content-Type": "application/json"},
    )  # fmt: skip


def settle(served: Served) -> None:
    while served.runtime.loader.drain_once():
        continue


def rows(served: Served, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return served.runtime.store.query(Sql(sql, params))


@pytest.fixture
def synced(served: Served, provider_api: FixtureServer) -> str:
    serve_location(provider_api)
    connection_id = connect(served, provider_api)
    waits: list[float] = []
    report = sync(served, connection_id, waits)
    assert (report.health, report.pages, report.events) == (Health.OK, 6, 13)
    assert waits == [1.0]  # the 429's Retry-After, then the page
    settle(served)
    return connection_id


def test_leads_stages_and_bookings_become_conversions_once(served: Served, synced: str) -> None:
    found = rows(served, "SELECT goal_key, revenue_type, provider_ref, value FROM conversions"
                         " ORDER BY goal_key, provider_ref")  # fmt: skip
    assert found == [
        ("appointment_booked", "pipeline", "mN7bV6cX5zL4kJ3hG2fD", None),
        ("appointment_booked", "pipeline", "oCM5feFC6ii3YnW8V2Lz", None),
        ("appointment_booked", "pipeline", "pO9iU8yT7rE6wQ5aS4dF", Decimal("1200.5000")),
        ("closed_won", "pipeline", "aS2dF4gH6jK8lZ0xC1vB", Decimal("5000.0000")),
        # Maria's contact and her deal's first stage share her contact id: one lead.
        ("lead_created", "pipeline", META_LEAD, None),
        ("lead_created", "pipeline", "Q1wErTy2UiOp3AsDf4Gh", None),
        ("lead_created", "pipeline", "Zx9Cv8Bn7Mm6Ll5Kk4Jj", None),
    ]
    # The won deal's value never becomes cash: no cash conversion, no cash credit.
    assert rows(served, "SELECT count(*) FROM conversions WHERE revenue_type = 'cash'") == [(0,)]
    assert rows(served, "SELECT count(*) FROM credits WHERE revenue_type = 'cash'") == [(0,)]


def test_a_meta_lead_form_lead_gets_a_synthetic_touch_and_its_campaign_the_credit(
    served: Served, synced: str
) -> None:
    ((lead,),) = rows(served, "SELECT conversion_id FROM conversions WHERE goal_key ="
                              " 'lead_created' AND provider_ref = $ref", ref=META_LEAD)  # fmt: skip
    touches = rows(served, "SELECT touch_type, channel, campaign_id, ad_set_id, ad_id FROM"
                           " touch_rows WHERE conversion_id = $c", c=lead)  # fmt: skip
    assert touches == [
        ("synthetic", "Paid Social", CAMPAIGN, "120212345678900002", "120212345678900003")
    ]
    credits = rows(served, "SELECT touch_type, campaign_id, last_touch, linear FROM credits"
                           " WHERE conversion_id = $c", c=lead)  # fmt: skip
    assert credits == [("synthetic", CAMPAIGN, 1.0, 1.0)]
    assert rows(served, "SELECT count(*) FROM sessions") == [(0,)]  # never traffic


def test_appointments_are_stored_for_the_calendar(served: Served, synced: str) -> None:
    stored = rows(served, "SELECT appointment_id, calendar_name, status, assigned_user"
                          " FROM calendar_events ORDER BY appointment_id")  # fmt: skip
    assert stored == [
        ("mN7bV6cX5zL4kJ3hG2fD", "Treatment", "showed", "pL1oK2iJ3uH4yG5tF6rD"),
        ("nB8vC7xZ6lK5jH4gF3dS", "Consultations", "cancelled", "yU7tR6eE5wW4qQ3aA2sS"),
        ("oCM5feFC6ii3YnW8V2Lz", "Consultations", "confirmed", "yU7tR6eE5wW4qQ3aA2sS"),
    ]


def test_workflow_webhooks_add_to_what_the_sync_brought_and_repeat_as_no_ops(
    served: Served, synced: str
) -> None:
    answers = [
        post(served, synced, "workflow_contact_created.json"),
        post(served, synced, "workflow_stage_changed.json"),
        post(served, synced, "workflow_appointment_booked.json"),
        post(served, synced, "workflow_stage_changed.json"),  # GHL retried
    ]
    assert [a.status_code for a in answers] == [200] * 4
    assert post(served, synced, "workflow_contact_created.json", token="wrong").status_code == 401
    settle(served)
    luis = rows(served, "SELECT goal_key, value FROM conversions WHERE provider_ref IN"
                        " ('Hh5Gg4Ff3Dd2Ss1Aa0Pp', 'wE3rT5yU7iO9pA1sD3fG', 'rT6yU8iO0pA2sD4fG6hJ')"
                        " ORDER BY goal_key, value NULLS LAST")  # fmt: skip
    assert luis == [
        ("appointment_booked", Decimal("3500.0000")),  # the deal's stage, valued in USD
        ("appointment_booked", None),  # the calendar's booking
        ("lead_created", None),
    ]
    with served.runtime.database.read() as session:
        record = connections.get(session, synced)
    assert record.last_webhook_at is not None


def test_an_expired_token_surfaces_as_connection_health_and_keeps_the_cursors(
    served: Served, synced: str, provider_api: FixtureServer
) -> None:
    with served.runtime.database.read() as session:
        before = connections.get(session, synced).cursors
    provider_api.route("GET", "/contacts/", recorded("ghl/token_expired.json", 401))
    report = sync(served, synced, [])
    assert (report.health, report.pages) == (Health.AUTH_EXPIRED, 0)
    with served.runtime.database.read() as session:
        record = connections.get(session, synced)
    assert record.health is Health.AUTH_EXPIRED
    assert record.last_error is not None and "Invalid JWT" in record.last_error
    assert record.cursors == before
