"""GoHighLevel webhooks: the per-connection secret scheme (HMAC header, token header, token
query) and the mapping of workflow and Marketplace deliveries, with API look-ups for what a
body leaves out."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.connectors.fixture_server import FixtureServer, recorded

from touchline.connectors.base import (
    Connection,
    HttpOptions,
    Provider,
    WebhookRejected,
    WebhookRequest,
)
from touchline.connectors.ghl.webhooks import receive
from touchline.errors import InvalidPayload
from touchline.ingest.protocol import RawEvent

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ghl"
SECRET = "tl_ghl_5b0c9e2f7a4d"
RECEIVED = datetime(2026, 10, 12, 9, tzinfo=UTC)


def connection(server: FixtureServer | None = None, **config: str) -> Connection:
    secrets = {"webhook_secret": SECRET}
    if server is not None:
        secrets["access_token"] = "pit-token"
        config = {"api_base": server.url, **config}
    return Connection(
        connection_id="con_1", profile_id="prof_1", provider=Provider.GHL,
        config={"location_id": "ve9EPM428h8vShlRW1KT", **config}, secrets=secrets,
    )  # fmt: skip


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def request(
    raw: bytes, *, headers: dict[str, str] | None = None, query: dict[str, str] | None = None
) -> WebhookRequest:
    given = {"x-touchline-token": SECRET} if headers is None else headers
    return WebhookRequest(given, query or {}, raw, RECEIVED)


def hmac_hex(secret: str, raw: bytes) -> str:
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def named(events: list[RawEvent]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.name, e.payload or {}) for e in events]


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({"x-touchline-token": SECRET}, {}),
        ({}, {"token": SECRET}),
        ({"x-touchline-signature": "sha256=" + hmac_hex(SECRET, body(
            "workflow_contact_created.json"))}, {}),
        ({"x-touchline-signature": hmac_hex(SECRET, body("workflow_contact_created.json"))}, {}),
    ],
)  # fmt: skip
def test_each_way_of_proving_the_secret_is_accepted(
    headers: dict[str, str], query: dict[str, str]
) -> None:
    raw = body("workflow_contact_created.json")
    events = receive(connection(), request(raw, headers=headers, query=query), HttpOptions())
    assert [e.name for e in events] == ["lead_created"]


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({}, {}),
        ({"x-touchline-token": "guess"}, {}),
        ({}, {"token": SECRET + "x"}),
        ({"x-touchline-signature": "sha256=" + hmac_hex("other", b"{}")}, {"token": SECRET}),
    ],
)
def test_a_delivery_without_the_secret_is_refused(
    headers: dict[str, str], query: dict[str, str]
) -> None:
    raw = body("workflow_contact_created.json")
    with pytest.raises(WebhookRejected):
        receive(connection(), request(raw, headers=headers, query=query), HttpOptions())


def test_a_connection_without_a_webhook_secret_refuses_everything() -> None:
    bare = Connection(connection_id="c", profile_id="p", provider=Provider.GHL)
    with pytest.raises(WebhookRejected, match="no webhook secret"):
        receive(bare, request(b"{}", headers={"x-touchline-token": ""}), HttpOptions())


def test_a_workflow_lead_from_a_meta_form_carries_its_ad_ids() -> None:
    ((name, payload),) = named(
        receive(connection(), request(body("workflow_contact_created.json")), HttpOptions())
    )
    assert name == "lead_created"
    assert {k: payload[k] for k in ("provider_ref", "campaign_id", "ad_id", "utm_source",
                                    "utm_medium")} == {
        "provider_ref": "Hh5Gg4Ff3Dd2Ss1Aa0Pp", "campaign_id": "120212345678900001",
        "ad_id": "120212345678900004", "utm_source": "facebook", "utm_medium": "paid",
    }  # fmt: skip


def test_a_workflow_stage_change_names_its_stage_and_value() -> None:
    events = receive(connection(currency="USD"), request(body("workflow_stage_changed.json")),
                     HttpOptions())  # fmt: skip
    assert [e.name for e in events] == ["lead_created", "stage_changed"]
    stage = events[1]
    assert stage.revenue is not None and (stage.revenue.amount, stage.revenue.currency) == (
        3500.0,
        "USD",
    )
    payload = stage.payload or {}
    assert (payload["stage"], payload["provider_ref"], payload["is_first_stage"]) == (
        "Appointment Booked",
        "wE3rT5yU7iO9pA1sD3fG",
        False,
    )


def test_a_workflow_stage_learns_whether_it_is_first_from_the_pipelines(
    provider_api: FixtureServer,
) -> None:
    provider_api.route("GET", "/opportunities/pipelines", recorded("ghl/pipelines.json"))
    provider_api.route("GET", "/locations/ve9EPM428h8vShlRW1KT", recorded("ghl/location.json"))
    raw = json.loads(body("workflow_stage_changed.json"))
    raw["pipleline_stage"] = "New Lead"
    events = receive(connection(provider_api), request(json.dumps(raw).encode()), HttpOptions())
    payload = events[1].payload or {}
    assert (payload["is_first_stage"], payload["provider_ref"]) == (True, "Hh5Gg4Ff3Dd2Ss1Aa0Pp")
    assert events[1].revenue is not None and events[1].revenue.currency == "USD"


def test_a_workflow_appointment_is_booked_in_the_calendars_time_zone() -> None:
    events = receive(connection(), request(body("workflow_appointment_booked.json")),
                     HttpOptions())  # fmt: skip
    assert [e.name for e in events] == ["lead_created", "calendar_event", "appointment_booked"]
    record = events[1].payload or {}
    assert (record["appointment_id"], record["calendar_name"], record["status"]) == (
        "rT6yU8iO0pA2sD4fG6hJ",
        "Consultations",
        "confirmed",
    )
    assert record["start_at"] == "2026-10-14T10:00:00-05:00"
    assert record["assigned_user"] == "Dana Reyes"


def test_marketplace_events_map_like_the_sync_with_stage_names_from_the_api(
    provider_api: FixtureServer,
) -> None:
    provider_api.route("GET", "/opportunities/pipelines", recorded("ghl/pipelines.json"))
    provider_api.route("GET", "/locations/ve9EPM428h8vShlRW1KT", recorded("ghl/location.json"))
    provider_api.route("GET", "/calendars/", recorded("ghl/calendars.json"))
    found = {
        name: [(e.name, (e.payload or {}).get("stage") or (e.payload or {}).get("calendar_name"))
               for e in receive(connection(provider_api), request(body(name)), HttpOptions())]
        for name in ("event_contact_create.json", "event_opportunity_stage_update.json",
                     "event_appointment_create.json")
    }  # fmt: skip
    assert found == {
        "event_contact_create.json": [("lead_created", None)],
        "event_opportunity_stage_update.json": [("stage_changed", "Closed Won"),
                                                ("stage_changed", "Won")],
        "event_appointment_create.json": [("calendar_event", "Consultations"),
                                          ("appointment_booked", "Consultations")],
    }  # fmt: skip


def test_a_marketplace_stage_without_a_token_keeps_only_the_won_status() -> None:
    events = receive(connection(), request(body("event_opportunity_stage_update.json")),
                     HttpOptions())  # fmt: skip
    assert [(e.payload or {})["stage"] for e in events] == ["Won"]
    assert events[0].revenue is None  # no currency known: the value stays in the payload
    assert (events[0].payload or {})["monetary_value"] == "2400"


def test_deliveries_we_do_not_use_are_acknowledged_empty() -> None:
    raw = json.dumps({"type": "InboundMessage", "locationId": "x", "body": "hi"}).encode()
    assert receive(connection(), request(raw), HttpOptions()) == []


def test_an_unreadable_body_is_a_payload_error() -> None:
    with pytest.raises(InvalidPayload):
        receive(connection(), request(b"not json"), HttpOptions())
