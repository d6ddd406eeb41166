"""Every parameter that shapes an answer is part of its cache key: two different parameter sets
are two computations with two answers, and asking again reuses the answer. The tricky ones:
filters, `breakdowns?dimensions=` (each dimension shares its own endpoint's answer), cursors,
searches and `/contacts` bodies."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from tests.api import contacts_world, people, shop
from tests.api.conftest import Api
from tests.api.shop import get

from touchline.api.routes import contacts as contact_routes
from touchline.api.routes import customers as customer_routes
from touchline.api.routes import traffic as traffic_routes
from touchline.domain.keys import Scope

Counted = Callable[[ModuleType, str], list[dict[str, Any]]]
MARCH = {"date_from": "2026-03-10", "date_to": "2026-03-13"}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counted:
    """Replace `module.name` by a wrapper that records the keyword arguments of each call."""

    def count(module: ModuleType, name: str) -> list[dict[str, Any]]:
        calls: list[dict[str, Any]] = []
        real = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(kwargs)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)
        return calls

    return count


def test_each_filter_is_its_own_question(api: Api, counted: Counted) -> None:
    shop.feed(api)
    calls = counted(traffic_routes, "overview")
    headers = api.key()
    paid = {**MARCH, "filter[channel]": "is:Paid Social"}
    email = {**MARCH, "filter[channel]": "is:Email"}
    first = get(api, "/overview", headers, **paid)["data"]
    second = get(api, "/overview", headers, **email)["data"]
    assert first["current"]["visitors"] == 1 == second["current"]["visitors"]
    assert first != second and len(calls) == 2
    assert get(api, "/overview", headers, **paid)["data"] == first and len(calls) == 2
    negated = get(api, "/overview", headers, **{**MARCH, "filter[channel]": "is_not:Email"})
    assert negated["data"]["current"]["visitors"] == 2 and len(calls) == 3
    get(api, "/overview", headers, **{**paid, "filter[country]": "is:(none)"})
    unfiltered = get(api, "/overview", headers, **MARCH)["data"]
    get(api, "/overview", headers, model="first_touch", **MARCH)
    assert unfiltered["current"]["visitors"] == 3 and len(calls) == 6
    assert len({(c["period"], c["segment"], c["model"]) for c in calls}) == 6


def test_breakdowns_by_dimensions_share_each_dimensions_answer(api: Api, counted: Counted) -> None:
    shop.feed(api)
    calls = counted(traffic_routes, "breakdown")
    headers = api.key()
    both = get(api, "/breakdowns", headers, dimensions="channel,country", **MARCH)["data"]
    assert sorted(both) == ["channel", "country"] and len(calls) == 2
    channels = get(api, "/channels", headers, **MARCH)["data"]
    assert [r["value"] for r in channels] == [r["value"] for r in both["channel"]]
    assert len(calls) == 2  # /channels is the same question as the channel part
    other = get(api, "/breakdowns", headers, dimensions="channel,device", **MARCH)["data"]
    assert other["channel"] == both["channel"] and len(calls) == 3  # only device is new
    one = get(api, "/breakdowns", headers, dimensions="channel", limit="1", **MARCH)["data"]
    assert len(one["channel"]) == 1 < len(both["channel"]) and len(calls) == 4
    filtered = {**MARCH, "filter[channel]": "is:Email"}
    email = get(api, "/breakdowns", headers, dimensions="channel", **filtered)["data"]
    assert [r["value"] for r in email["channel"]] == ["Email"] and len(calls) == 5
    get(api, "/breakdowns", headers, dimensions="channel,country", **MARCH)
    assert len(calls) == 5


def test_customer_cursors_and_searches_are_their_own_questions(api: Api, counted: Counted) -> None:
    people.seed(api)
    calls = counted(customer_routes, "customer_page")
    headers = api.key(Scope.CUSTOMERS_READ, rate_limit=600)
    march = {"date_from": "2026-03-01", "date_to": "2026-03-25", "goal": "payment_received"}
    first = get(api, "/customers", headers, limit="2", **march)
    cursor_time, cursor_id = first["pagination"]["cursor"].split("|")
    cursor = {"cursor_time": cursor_time, "cursor_id": cursor_id}
    second = get(api, "/customers", headers, limit="2", **cursor, **march)
    assert len(calls) == 2
    ids = [r["conversion_id"] for r in first["data"] + second["data"]]
    assert len(set(ids)) == 4
    assert get(api, "/customers", headers, limit="2", **cursor, **march) == second
    assert get(api, "/customers", headers, limit="2", **march) == first
    assert len(calls) == 2
    jane = get(api, "/customers", headers, search="jane", **march)["data"]
    bob = get(api, "/customers", headers, search="BOB", **march)["data"]
    assert {r["name"] for r in jane} == {"Jane Smith"} and jane != bob and len(calls) == 4
    other_goal = get(api, "/customers", headers, **{**march, "goal": "lead_created"})
    assert other_goal["data"] != first["data"] and len(calls) == 5


def test_contact_bodies_are_their_own_questions(api: Api, counted: Counted) -> None:
    contacts_world.seed(api)
    scans = counted(contact_routes, "filtered_page")
    lists = counted(contact_routes, "email_page")
    headers = api.key(Scope.CUSTOMERS_READ, rate_limit=600)

    def post(body: dict[str, Any]) -> Any:
        answer = api.served.client.post("/api/v1/contacts", json=body, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    organic, email = post({"medium": "organic"}), post({"medium": "email"})
    assert organic != email and len(scans) == 2
    first = post({"source": "google.com", "touch_scope": "first"})
    assert first != post({"source": "google.com"}) and len(scans) == 4
    assert post({"medium": "organic"}) == organic and len(scans) == 4
    listed = ["bob@example.com", "ann@example.com", "dana@example.com"]
    whole = post({"emails": listed})
    later = post({"emails": listed, "offset": 2})
    assert whole != later and len(lists) == 2
    # Filters beside emails are ignored, so they are the same question.
    assert post({"emails": ",".join(listed), "source": "nowhere.example"}) == whole
    assert len(lists) == 2 and len(scans) == 4
