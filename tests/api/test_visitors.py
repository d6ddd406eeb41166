"""`GET /visitors` over data fed through the real ingest path (tests/api/people.py):
identified and anonymous visitors, hand-computed rows, cursor pages, search, scope, BOLA."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import Api
from tests.api.people import People, seed

from touchline.domain.identity import anonymous_name
from touchline.domain.keys import Scope

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-25"}


@pytest.fixture
def people(api: Api) -> People:
    return seed(api)


def listed(api: Api, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    answer = api.served.client.get("/api/v1/visitors", params=MARCH | extra, headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def reader(api: Api) -> dict[str, str]:
    return api.key(Scope.VISITORS_READ, rate_limit=600)


def test_identified_and_anonymous_visitors_most_recent_first(api: Api, people: People) -> None:
    rows = listed(api, reader(api))["data"]
    assert [r["visitor_id"] for r in rows] == ["v-bob", "v-jane", "v-anon"]
    jane = rows[1]
    assert jane == {
        "visitor_id": "v-jane", "customer_profile_id": people.jane, "name": "Jane Smith",
        "email": "jane@example.com", "country": None, "device": "desktop",
        "browser": "Safari", "os": "macOS", "channel": "Direct", "source": None,
        "total_revenue": 598.0,  # lifetime cash of the customer: 299 + 299
        "last_seen_at": "2026-03-19T09:01:00Z",  # the identify event ends the visit
        "session_count": 2, "total_pageviews": 2, "touch_channels": ["Paid Social", "Direct"],
    }  # fmt: skip
    anon = rows[2]
    assert anon["name"] == anonymous_name(api.served.profile_id, "v-anon")
    assert (anon["customer_profile_id"], anon["email"], anon["total_revenue"]) == (None, None, 0)
    assert (rows[0]["channel"], rows[0]["source"], rows[0]["total_revenue"]) == (
        "Organic Search", "google.com", 50.0,
    )  # fmt: skip


def test_cursor_pages_of_one_walk_every_visitor(api: Api, people: People) -> None:
    key, seen, cursor = reader(api), [], None
    body: dict[str, Any] = {}
    for _ in range(3):
        extra: dict[str, str] = (
            dict(zip(("cursor_time", "cursor_id"), cursor.split("|"), strict=True))
            if cursor
            else {}
        )
        body = listed(api, key, limit=1, **extra)
        seen += [r["visitor_id"] for r in body["data"]]
        cursor = body["pagination"]["cursor"]
    assert seen == ["v-bob", "v-jane", "v-anon"]
    assert body["pagination"] == {"has_next": False, "cursor": None}


def test_search_period_scope_and_bola(api: Api, people: People) -> None:
    key = reader(api)
    assert [r["visitor_id"] for r in listed(api, key, search="jones")["data"]] == ["v-bob"]
    assert listed(api, key, search="olive koala-nobody")["data"] == []
    early = listed(api, key, date_from="2026-03-01", date_to="2026-03-15")["data"]
    assert [r["visitor_id"] for r in early] == ["v-anon"]
    refused = api.served.client.get("/api/v1/visitors", params=MARCH, headers=api.key())
    assert refused.status_code == 403
    assert [r["visitor_id"] for r in listed(api, people.other_key)["data"]] == ["v-else"]
