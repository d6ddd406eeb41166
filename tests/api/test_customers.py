"""`GET /customers` and `GET /customers/{id}/journey` over data fed through the real ingest
path (tests/api/people.py), against hand-computed rows: last touch, touches up to the
conversion, lifetime totals, cursor pages, search, scopes, heavy cost and BOLA."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import Api
from tests.api.people import People, seed

from touchline.domain.keys import Scope

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-25", "goal": "payment_received"}


@pytest.fixture
def people(api: Api) -> People:
    return seed(api)


def listed(api: Api, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    answer = api.served.client.get("/api/v1/customers", params=MARCH | extra, headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def reader(api: Api) -> dict[str, str]:
    return api.key(Scope.CUSTOMERS_READ, rate_limit=600)


def test_rows_are_the_goals_conversions_newest_first_with_hand_computed_fields(
    api: Api, people: People
) -> None:
    body = listed(api, reader(api))
    rows = body["data"]
    assert [(r["customer_profile_id"], r["conversion_time"]) for r in rows] == [
        (people.ghost, "2026-03-23T08:00:00Z"),
        (people.jane, "2026-03-22T14:30:00Z"),
        (people.bob, "2026-03-21T12:00:00Z"),
        (people.jane, "2026-03-20T16:45:00Z"),
    ]
    latest = rows[1]
    assert {k: v for k, v in latest.items() if k != "conversion_id"} == {
        "customer_profile_id": people.jane, "name": "Jane Smith", "email": "jane@example.com",
        "country": None,  # 203.0.113.9 is a documentation address: no location
        "device": "desktop", "channel": "Direct", "source": None,  # the last touch: 03-19
        "revenue": 299.0, "revenue_type": "cash", "conversion_time": "2026-03-22T14:30:00Z",
        "time_to_complete_seconds": 4 * 86400 + 4 * 3600 + 30 * 60,  # 03-18 10:00 → 03-22 14:30
        "touch_count": 2, "touch_channels": ["Paid Social", "Direct"],
        "conversion_count": 2, "total_revenue": 598.0,
    }  # fmt: skip
    assert rows[3]["time_to_complete_seconds"] == 2 * 86400 + 6 * 3600 + 45 * 60
    bob = rows[2]
    assert (bob["channel"], bob["source"], bob["touch_count"]) == (
        "Organic Search",
        "google.com",
        1,
    )
    assert (bob["time_to_complete_seconds"], bob["total_revenue"]) == (3600, 50.0)
    ghost = rows[0]  # known only by the payment's email: no name, no touch
    assert (ghost["name"], ghost["email"], ghost["channel"], ghost["touch_count"]) == (
        None, "ghost@example.com", None, 0,
    )  # fmt: skip
    assert ghost["time_to_complete_seconds"] is None
    assert body["pagination"] == {"has_next": False, "cursor": None}
    assert body["meta"] == {
        "date_from": "2026-03-01", "date_to": "2026-03-25", "profile_id": api.served.profile_id,
    }  # fmt: skip


def test_cursor_pages_walk_every_row_once_in_order(api: Api, people: People) -> None:
    key = reader(api)
    first = listed(api, key, limit=2)
    assert first["pagination"]["has_next"] is True
    second_row = first["data"][1]
    assert first["pagination"]["cursor"] == f"2026-03-22T14:30:00Z|{second_row['conversion_id']}"
    cursor_time, cursor_id = first["pagination"]["cursor"].split("|")
    second = listed(api, key, limit=2, cursor_time=cursor_time, cursor_id=cursor_id)
    assert [r["customer_profile_id"] for r in first["data"] + second["data"]] == [
        people.ghost, people.jane, people.bob, people.jane,
    ]  # fmt: skip
    assert second["pagination"] == {"has_next": False, "cursor": None}


def test_search_matches_name_or_email_in_any_case(api: Api, people: People) -> None:
    key = reader(api)
    by_name = listed(api, key, search="SMITH")["data"]
    assert [r["customer_profile_id"] for r in by_name] == [people.jane, people.jane]
    assert [r["customer_profile_id"] for r in listed(api, key, search="bob@")["data"]] == [
        people.bob
    ]
    assert listed(api, key, search="nobody")["data"] == []
    assert listed(api, key, search="%")["data"] == []  # a LIKE wildcard is literal text


def test_other_goals_and_other_periods_have_their_own_rows(api: Api, people: People) -> None:
    key = reader(api)
    assert listed(api, key, goal="lead_created")["data"] == []
    april = listed(api, key, date_from="2026-03-21", date_to="2026-03-21")["data"]
    assert [r["customer_profile_id"] for r in april] == [people.bob]


def test_bad_parameters_answer_the_spec_codes(api: Api, people: People) -> None:
    client, key = api.served.client, reader(api)
    cases = [
        ({"goal": ""}, "invalid_parameter"),
        ({"limit": "101"}, "invalid_parameter"),
        ({"cursor_time": "yesterday", "cursor_id": "x"}, "invalid_parameter"),
        ({"cursor_time": "2026-03-22T14:30:00Z"}, "invalid_parameter"),
        ({"date_to": "2026-02-01"}, "invalid_date_range"),
    ]
    for extra, code in cases:
        answer = client.get("/api/v1/customers", params=MARCH | extra, headers=key)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == code, extra


def test_pii_needs_customers_read_and_each_call_costs_three_units(api: Api, people: People) -> None:
    client = api.served.client
    refused = client.get("/api/v1/customers", params=MARCH, headers=api.key())
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    key = api.key(Scope.CUSTOMERS_READ, rate_limit=10)
    answer = client.get("/api/v1/customers", params=MARCH, headers=key)
    assert answer.headers["x-ratelimit-remaining"] == "7"
    journey = client.get(f"/api/v1/customers/{people.jane}/journey", headers=key)
    assert journey.headers["x-ratelimit-remaining"] == "4"


def journey(api: Api, customer: str, headers: dict[str, str], **query: Any) -> dict[str, Any]:
    answer = api.served.client.get(
        f"/api/v1/customers/{customer}/journey", params=query, headers=headers
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_journey_is_every_event_oldest_first_with_server_side_events_unweb(
    api: Api, people: People
) -> None:
    body = journey(api, people.jane, reader(api))
    events = body["data"]["events"]
    assert body["data"]["total_count"] == 4 and body["meta"] == {
        "profile_id": api.served.profile_id
    }
    assert [(e["event_type"], e["event_time"]) for e in events] == [
        ("page_view", "2026-03-18T10:00:00Z"),  # identify is not shown
        ("page_view", "2026-03-19T09:00:00Z"),
        ("payment_received", "2026-03-20T16:45:00Z"),
        ("payment_received", "2026-03-22T14:30:00Z"),
    ]
    ad = events[0]
    assert (ad["channel"], ad["source"], ad["medium"], ad["campaign"], ad["path"]) == (
        "Paid Social", "ig", "paid", "spring", "/",
    )  # fmt: skip
    assert (ad["device"], ad["browser"], ad["value_amount"], ad["is_synthetic"]) == (
        "desktop", "Safari", None, False,
    )  # fmt: skip
    paid = events[2]
    assert (paid["source"], paid["value_amount"], paid["currency"]) == ("stripe", 299.0, "USD")
    web = ("url", "path", "channel", "medium", "campaign", "device", "browser", "os", "city")
    assert all(paid[field] is None for field in web)


def test_journey_pages_by_offset_and_limit(api: Api, people: People) -> None:
    body = journey(api, people.jane, reader(api), offset=1, limit=2)
    assert [e["event_time"] for e in body["data"]["events"]] == [
        "2026-03-19T09:00:00Z", "2026-03-20T16:45:00Z",
    ]  # fmt: skip
    assert body["data"]["total_count"] == 4
    assert journey(api, people.jane, reader(api), offset=9)["data"]["events"] == []
    bad = api.served.client.get(
        f"/api/v1/customers/{people.jane}/journey", params={"offset": "-1"}, headers=reader(api)
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_parameter"


def test_another_profiles_key_never_sees_these_customers(api: Api, people: People) -> None:
    """BOLA: profile B's key gets 200 and empty data for A's customer, and its list holds only
    B's own customer; A's key sees nothing of B's."""
    other = people.other_key
    empty = journey(api, people.jane, other)
    assert empty["data"] == {"events": [], "total_count": 0}
    theirs = listed(api, other)["data"]
    assert [r["customer_profile_id"] for r in theirs] == [people.other_profile_customer]
    assert listed(api, other, search="jane")["data"] == []
    mine = journey(api, people.other_profile_customer, reader(api))
    assert mine["data"] == {"events": [], "total_count": 0}
    assert journey(api, "no-such-customer", reader(api))["data"]["total_count"] == 0
