"""`POST /contacts` and `/timelines` over data fed through the real ingest path
(tests/api/contacts_world.py), against hand-computed summaries, filters, scopes and pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from tests.api.conftest import Api
from tests.api.contacts_world import SITE, Contacts, seed

from touchline.domain.keys import Scope

NONE = {"message": "No contacts found for the given parameters."}


@pytest.fixture
def contacts(api: Api) -> Contacts:
    return seed(api)


def post(
    api: Api,
    body: dict[str, Any] | None,
    headers: dict[str, str] | None = None,
    path: str = "/api/v1/contacts",
) -> dict[str, Any]:
    key = headers or api.key(Scope.CUSTOMERS_READ, rate_limit=600)
    answer = api.served.client.post(path, json=body, headers=key)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def emails(body: dict[str, Any]) -> list[str]:
    return [c["email"] for c in body["contacts"]]


def test_every_summary_field_is_hand_computed_from_the_whole_journey(
    api: Api, contacts: Contacts
) -> None:
    before = datetime.now(UTC)
    body = post(api, None)
    after = datetime.now(UTC)
    assert emails(body) == ["ann@example.com", "bob@example.com"]
    assert body["pagination"] == {"records_processed": 8, "total_records": 8, "has_more": False}
    ann = body["contacts"][0]["summary"]
    paid = datetime(2026, 3, 6, 9, tzinfo=UTC)
    assert ann["days_since_last_conversion"] in {(before - paid).days, (after - paid).days}
    journey = ann.pop("user_journey")
    touches = {k: ann.pop(k) for k in ("first_touch", "converting_touch", "recent_touch")}
    assert ann == {
        "total_sessions": 4, "total_conversions": 2,  # the lead, and the sessionless payment
        "conversion_rate_percent": 25.0,  # 1 converting session of 4
        "conversion_dates": ["2026-03-04T13:09:00Z", "2026-03-06T09:00:00Z"],
        "days_since_last_conversion": ann["days_since_last_conversion"],
        "is_repeat_converter": True,
        "avg_days_between_conversions": 1.83,  # 1 d 19 h 51 min
        "avg_days_between_sessions": 1.39,  # 03-01 10:00 → 03-05 14:00 = 4.1667 d over 3 gaps
        "avg_session_duration_seconds": 540,  # (660 + 0 + 540 + 960) / 4
        "days_to_convert": 3,  # 03-01 10:00 → 03-04 13:09
        "interested_pages": {
            "landing_pages": {f"{SITE}/landing": 2, f"{SITE}/pricing": 1, f"{SITE}/home": 1},
            "conversion_pages": {f"{SITE}/order-confirmed": 1},
            "exit_pages": {f"{SITE}/done": 2, f"{SITE}/pricing": 1},
            "previous_conversion_pages": {f"{SITE}/checkout": 1},
            "previous_exit_pages": {f"{SITE}/cart": 1, f"{SITE}/checkout": 1},
        },
    }  # fmt: skip
    assert [s["session_duration"] for s in journey] == [660, 0, 540, 960]
    assert journey[0] == {
        "timestamp": "2026-03-01T10:00:00Z", "source": "google", "medium": "cpc",
        "content": "banner1", "campaign": "spring", "term": "shoes",
        "landing_page": f"{SITE}/landing", "conversion": None,
        "exit": {"exit_page": f"{SITE}/done", "previous_page": f"{SITE}/cart",
                 "timestamp": "2026-03-01T10:11:00Z"},
        "session_duration": 660,
    }  # fmt: skip
    assert journey[2]["conversion"] == {
        "email": "ann@example.com", "timestamp": "2026-03-04T13:09:00Z",
        "conversion_page": f"{SITE}/order-confirmed", "previous_page": f"{SITE}/checkout",
        "conversion_meta": {"type": "lead_created", "id": "lead_created"},
    }  # fmt: skip
    assert (journey[2]["exit"], journey[3]["source"], journey[3]["medium"]) == (
        None, "google.com", "organic",
    )  # fmt: skip
    assert touches == {
        "first_touch": journey[0], "converting_touch": journey[2], "recent_touch": journey[3],
    }  # fmt: skip


def test_a_payment_while_a_session_is_open_converts_in_it(api: Api, contacts: Contacts) -> None:
    bob = post(api, {"emails": ["bob@example.com"]})["contacts"][0]["summary"]
    first = bob["user_journey"][0]
    assert first["conversion"] == {
        "email": "bob@example.com", "timestamp": "2026-03-03T09:20:00Z",
        "conversion_page": None, "previous_page": f"{SITE}/",  # server-side: no page of its own
        "conversion_meta": {"type": "payment_received", "id": "payment_received"},
    }  # fmt: skip
    assert (bob["conversion_rate_percent"], bob["days_to_convert"]) == (50.0, 0)
    assert bob["avg_days_between_sessions"] == 7.13  # 03-03 09:00 → 03-10 12:00


@pytest.mark.parametrize(
    ("body", "found", "total"),
    [
        ({"source": "google.com", "touch_scope": "first"}, ["bob"], 3),  # Carl, Dana, Bob S1
        ({"source": "google.com"}, ["bob", "ann"], 4),  # + Ann S4 (her S1 is utm "google")
        (
            {"source": "google", "meta_type": "lead_created", "touch_scope": "converting"},
            ["ann"],
            1,
        ),
        ({"touch_scope": "assist"}, ["ann"], 1),  # Ann S2: between S1 and converting S3
        ({"touch_scope": "after"}, ["ann", "bob"], 2),  # Ann S4 (03-05), Bob S2 (03-10)
        ({"touch_scope": "converting"}, ["bob", "ann"], 2),
        ({"start_date": "2026-03-04", "end_date": "2026-03-05"}, ["ann"], 2),
        ({"start_date": "2026-03-03T09:00:00Z", "end_date": "2026-03-03"}, ["bob"], 1),
        ({"landing_page": "https://shop.example/landing"}, ["ann"], 2),
        ({"campaign": "spring", "content": "banner2", "term": "shoes"}, ["ann"], 1),
        ({"medium": "organic"}, ["bob", "ann"], 4),
        ({"medium": "email"}, ["bob"], 1),
        ({"conversion_page": "https://shop.example/order-confirmed"}, ["ann"], 1),
        ({"meta_type": "payment_received"}, ["bob"], 1),  # Ann's payment is in no session
        ({"meta_id": "lead_created", "touch_scope": "converting", "medium": "cpc"}, ["ann"], 1),
    ],
)
def test_filters_hold_for_one_same_session(
    api: Api, contacts: Contacts, body: dict[str, Any], found: list[str], total: int
) -> None:
    answer = post(api, body)
    assert emails(answer) == [f"{name}@example.com" for name in found]
    assert answer["pagination"] == {
        "records_processed": total, "total_records": total, "has_more": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {"meta_type": "lead_created", "touch_scope": "first"},  # Ann converted in her 3rd
        {"source": "Google.com"},  # case-sensitive
        {"source": "google", "medium": "organic"},  # each true of a different session
        {"landing_page": "https://shop.example/land"},
        {"offset": 8},
    ],
)
def test_no_match_answers_the_message(api: Api, contacts: Contacts, body: dict[str, Any]) -> None:
    assert post(api, body) == NONE


def test_emails_disable_the_filters_and_page_through_the_list(api: Api, contacts: Contacts) -> None:
    listed = "bob@example.com, nobody@example.com,ANN@example.com,dana@example.com"
    body = post(api, {"emails": listed, "source": "nowhere.example"})
    assert emails(body) == ["bob@example.com", "ann@example.com", "dana@example.com"]
    assert body["pagination"] == {"records_processed": 4, "total_records": 4, "has_more": False}
    dana = body["contacts"][2]["summary"]  # known, never converted: listed all the same
    assert (dana["total_sessions"], dana["total_conversions"], dana["converting_touch"]) == (
        1, 0, None,
    )  # fmt: skip
    later = post(api, {"emails": listed.split(","), "offset": 2})
    assert emails(later) == ["ann@example.com", "dana@example.com"]
    assert post(api, {"emails": ["nobody@example.com"]}) == NONE


def test_timelines_is_an_alias_and_the_authentication_header_works(
    api: Api, contacts: Contacts
) -> None:
    key = api.key(Scope.CUSTOMERS_READ, rate_limit=600)
    bare = {"Authentication": key["Authorization"].removeprefix("Bearer ")}
    answer = post(api, {"touch_scope": "assist"}, headers=bare, path="/api/v1/timelines")
    assert emails(answer) == ["ann@example.com"]


def test_scope_cost_and_bad_input(api: Api, contacts: Contacts) -> None:
    client = api.served.client
    plain = client.post("/api/v1/contacts", json={}, headers=api.key())
    assert plain.status_code == 403
    assert plain.json()["error"]["code"] == "insufficient_scope"
    key = api.key(Scope.CUSTOMERS_READ, rate_limit=60)
    ok = client.post("/api/v1/contacts", json={}, headers=key)
    assert ok.headers["X-RateLimit-Remaining"] == "57"  # heavy: 3 units
    for bad in (
        {"touch_scope": "last"},
        {"offset": -1},
        {"start_date": "July"},
        {"start_date": "2026-03-05", "end_date": "2026-03-01"},
        {"colour": "red"},
    ):
        answer = client.post("/api/v1/contacts", json=bad, headers=key)
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.json()["error"]["code"] == "invalid_parameter"


def test_another_profile_never_sees_these_contacts(api: Api, contacts: Contacts) -> None:
    theirs = post(api, None, headers=contacts.other_key)
    assert emails(theirs) == ["eve@x.io"]
    asked = post(api, {"emails": ["ann@example.com", "bob@example.com"]}, contacts.other_key)
    assert asked == NONE
    mine = post(api, {"emails": ["eve@x.io"]})
    assert mine == NONE
