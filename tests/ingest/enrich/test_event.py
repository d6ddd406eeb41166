"""The event's own fields: ids, visitor key, name, revenue, engaged time."""

from __future__ import annotations

from typing import Any

import pytest

from touchline.domain.visitors import visitor_key
from touchline.ingest.enrich.event import MAX_ENGAGED_MS, engaged_ms, event_step

from .events import NOW_US, new_row, raw_event, request


def enrich(**fields: Any) -> dict[str, Any]:
    row = new_row()
    assert event_step(raw_event(**fields), request(origin="import"), row) is None
    return row


def test_ids_keys_and_origin_are_filled() -> None:
    row = enrich(event_id="e9", anonymous_id="anon_9", session_id="s9", title="Pricing")
    assert row["profile_id"] == "prof_1"
    assert (row["event_id"], row["anonymous_id"], row["session_id"]) == ("e9", "anon_9", "s9")
    assert row["visitor_key"] == visitor_key("prof_1", "anon_9")
    assert (row["received_at"], row["origin"], row["title"]) == (NOW_US, "import", "Pricing")


def test_the_name_defaults_to_the_type() -> None:
    assert enrich()["name"] == "page_view"
    assert enrich(type="track", name="lead_submitted")["name"] == "lead_submitted"


def test_user_id_falls_back_to_the_identity() -> None:
    assert enrich(identity={"user_id": "u1"})["user_id"] == "u1"
    assert enrich(user_id="u2", identity={"user_id": "u1"})["user_id"] == "u2"


def test_revenue_is_a_four_place_decimal_string_with_an_upper_case_currency() -> None:
    row = enrich(type="revenue", revenue={"amount": 19.99, "currency": "usd"})
    assert (row["revenue"], row["currency"]) == ("19.9900", "USD")
    assert enrich(revenue={"amount": 1e-05, "currency": "EUR"})["revenue"] == "0.0000"
    assert enrich(revenue={"amount": 123456789.5, "currency": "CLP"})["revenue"] == "123456789.5000"
    assert (enrich()["revenue"], enrich()["currency"]) == (None, "")


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"engaged_ms": 15_000}, 15_000),
        ({"engaged_seconds": 12.5}, 12_500),
        ({"engaged_ms": -5}, 0),
        ({"engaged_ms": True}, 0),
        ({"engaged_ms": "15"}, 0),
        ({"engaged_seconds": 10**9}, MAX_ENGAGED_MS),
        ({}, 0),
        (None, 0),
    ],
)
def test_engaged_time_comes_from_the_payload(payload: dict[str, Any] | None, expected: int) -> None:
    assert engaged_ms(payload) == expected


def test_only_engagement_events_report_engaged_time() -> None:
    assert enrich(type="engagement", payload={"engaged_ms": 900})["engaged_ms"] == 900
    assert enrich(type="track", payload={"engaged_ms": 900})["engaged_ms"] == 0
