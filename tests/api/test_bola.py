"""BOLA across every operation: profile B's key, given profile A's ids (customers, visitors,
conversions, campaigns and ad entities at every level, emails, cursors), gets answers that
carry not one identifying value of A. The operation list comes from the OpenAPI document, so
a new endpoint fails this test until it is added here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from tests.api.conftest import Api
from tests.api.shop import feed, get, noon, send
from tests.attribution.journeys import visit

from touchline.api.app import build_api
from touchline.control.repos import api_keys, profiles, workspaces
from touchline.domain.ad_entities import internal_id
from touchline.domain.keys import Scope
from touchline.ingest.protocol import Identity

PERIOD = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
# They act on the presenting key itself: no other profile's id can be named.
KEY_OPERATIONS = {("POST", "/keys/rotate"), ("POST", "/keys/revoke")}


@dataclass(frozen=True)
class Tenants:
    a_key: dict[str, str]
    b_key: dict[str, str]
    secrets: frozenset[str]  # values that identify A's data and must never reach B
    ids: dict[str, Any]


def every_operation() -> set[tuple[str, str]]:
    paths = build_api().openapi()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def all_scopes_key(api: Api, profile_id: str) -> dict[str, str]:
    with api.served.runtime.database.transaction() as session:
        issued = api_keys.create(
            session, profile_id=profile_id, name="bola", actor="test",
            scopes=[s.value for s in Scope], rate_limit_per_minute=10_000,
        )  # fmt: skip
    return {"Authorization": f"Bearer {issued.plaintext}"}


@pytest.fixture
def tenants(api: Api) -> Tenants:
    feed(api)  # A: the clinic's March (tests/api/shop.py)
    send(api, [visit("v-zelda", noon(12), url="https://clinic.example/implants"),
               visit("v-zelda", noon(12, 1), type="identify",
                     identity=Identity(email="zelda@example.com", first_name="Zelda",
                                       last_name="Quixote"))], origin="import")  # fmt: skip
    with api.served.runtime.database.transaction() as session:
        workspace = workspaces.create(session, name="Tenant B", actor="test")
        other = profiles.create(session, workspace_id=workspace.id, name="B", actor="test")
    a_key, b_key = all_scopes_key(api, api.served.profile_id), all_scopes_key(api, other.id)
    ana = api.served.client.post(
        "/api/v1/customer-profiles",
        headers=a_key,
        json={"externalId": "crm-ana", "email": "ana@example.com"},
    )
    assert ana.status_code == 200 and ana.json()["data"]["created"] is False, ana.text
    customers = get(api, "/customers", a_key, limit="100", goal="payment_received", **PERIOD)[
        "data"
    ]
    visitors = get(api, "/visitors", a_key, limit="100", **PERIOD)["data"]
    entities = {
        level: internal_id(profile_id=api.served.profile_id, level=level, key=key)
        for level, key in (("campaign", "c1"), ("ad_set", "s1"), ("ad", "a1"))
    }
    ids = {
        "customer": next(
            row["customer_profile_id"] for row in customers if row["customer_profile_id"]
        ),
        "conversions": [row["conversion_id"] for row in customers],
        "visitors": [row["visitor_id"] for row in visitors],
        "entities": entities,
        "last_customer": customers[-1],
        "last_visitor": visitors[-1],
    }
    secrets = {
        api.served.profile_id, "clinic.example", "Spring Sale", "Retargeting",
        "newsletter-march", "Broad", "Video", "dentist cdmx", "teeth whitening", "Zelda",
        "Quixote", "act_1", "pi_ana", "mp_caro",
        *(f"{name}@example.com" for name in ("ana", "ben", "eva", "dan", "caro", "zelda")),
        *(row["customer_profile_id"] for row in customers if row["customer_profile_id"]),
        *ids["conversions"], *ids["visitors"], *entities.values(),
    }  # fmt: skip
    return Tenants(a_key=a_key, b_key=b_key, secrets=frozenset(secrets), ids=ids)


def requests(t: Tenants) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(method, operation path, query, json body): each operation, asked with A's ids."""
    ids, entities = t.ids, t.ids["entities"]
    for path in ("/overview", "/timeseries", "/channels", "/pages", "/countries", "/devices",
                 "/browsers", "/os", "/referrers", "/conversions", "/conversions/timeseries",
                 "/revenue", "/revenue/cash", "/quality", "/keywords"):  # fmt: skip
        yield "GET", path, dict(PERIOD), None
    yield "GET", "/breakdowns", {**PERIOD, "dimensions": "campaign,page,channel"}, None
    yield "GET", "/realtime", {}, None
    for level in ("campaign", "ad_set", "ad"):
        yield "GET", "/campaigns", {**PERIOD, "level": level}, None
        yield "GET", "/campaigns/trend", {**PERIOD, "level": level,
                                          "entity_ids": entities[level]}, None  # fmt: skip
    last_customer, last_visitor = ids["last_customer"], ids["last_visitor"]
    paid = {**PERIOD, "goal": "payment_received"}
    yield "GET", "/customers", {**paid, "search": "ana"}, None
    yield "GET", "/customers", {**paid, "cursor_id": last_customer["conversion_id"],
                                "cursor_time": "2026-03-31T00:00:00Z"}, None  # fmt: skip
    yield "GET", "/customers/{customer_id}/journey", {"customer_id": ids["customer"]}, None
    yield "GET", "/visitors", {**PERIOD, "search": "zelda"}, None
    yield "GET", "/visitors", {**PERIOD, "cursor_id": last_visitor["visitor_id"],
                               "cursor_time": "2026-03-31T00:00:00Z"}, None  # fmt: skip
    emails = ["ana@example.com", "zelda@example.com"]
    for path in ("/contacts", "/timelines"):
        yield "POST", path, {}, {"emails": emails}
        yield "POST", path, {}, {"start_date": "2026-03-01", "end_date": "2026-03-31",
                                 "campaign": "c1"}  # fmt: skip


NOT_FOUND = 404


def profile_requests(t: Tenants) -> Iterator[tuple[str, str, dict[str, Any], Any, int, int]]:
    """The customer profiles API with A's customer id and external id: (…, B's status, A's).
    B's key gets a 404 for A's customer (by id or `ext_`), A's own key gets it; lists, counts
    and cohorts answer 200 with B's own (no) customers. The erase comes last."""
    customer, ext = {"customer_id": t.ids["customer"]}, {"customer_id": "ext_crm-ana"}
    base = "/customer-profiles"
    yield "GET", base, {"search": "ana"}, None, 200, 200
    yield "GET", f"{base}/count", {}, None, 200, 200
    yield "GET", f"{base}/cohorts", {"group_by": "source"}, None, 200, 200
    yield "GET", f"{base}/ltv-cohorts", {}, None, 200, 200
    one = f"{base}/{{customer_id}}"
    for query in (customer, ext):
        yield "GET", one, query, None, NOT_FOUND, 200
    for tail in ("journey", "attribution"):
        yield "GET", f"{one}/{tail}", customer, None, NOT_FOUND, 200
    yield "POST", f"{one}/recalculate-ltv", customer, None, NOT_FOUND, 200
    yield "POST", f"{one}/unmerge", customer, {"merge_id": "none"}, NOT_FOUND, NOT_FOUND
    yield "PATCH", one, ext, {"lastName": "Quixote"}, NOT_FOUND, 200
    yield "POST", base, {}, {"firstName": "Bea"}, 200, 200
    yield "DELETE", one, customer, None, NOT_FOUND, 200


def ask(api: Api, key: dict[str, str], method: str, path: str, query: dict[str, Any],
        body: Any) -> tuple[int, str]:  # fmt: skip
    url = "/api/v1" + path.format(**query)
    query = {k: v for k, v in query.items() if f"{{{k}}}" not in path}
    answer = api.served.client.request(method, url, params=query, json=body, headers=key)
    return answer.status_code, answer.text


def leaked(text: str, secrets: frozenset[str]) -> set[str]:
    return {secret for secret in secrets if secret in text}


def test_another_profile_never_gets_a_byte_of_this_profiles_data(
    api: Api, tenants: Tenants
) -> None:
    covered, seen_by_a = set(), set()
    for method, path, query, body in requests(tenants):
        covered.add((method, path))
        status, text = ask(api, tenants.b_key, method, path, query, body)
        assert status == 200, (method, path, query, text)
        assert not leaked(text, tenants.secrets), (
            method,
            path,
            query,
            leaked(text, tenants.secrets),
        )
        status, text = ask(api, tenants.a_key, method, path, query, body)
        assert status == 200, (method, path, text)
        seen_by_a |= leaked(text, tenants.secrets)
    for method, path, query, body, b_status, a_status in profile_requests(tenants):
        covered.add((method, path))
        status, text = ask(api, tenants.b_key, method, path, query, body)
        assert status == b_status, (method, path, query, text)
        assert not leaked(text, tenants.secrets), (method, path, leaked(text, tenants.secrets))
        status, text = ask(api, tenants.a_key, method, path, query, body)
        assert status == a_status, (method, path, text)
        seen_by_a |= leaked(text, tenants.secrets)
    assert covered == every_operation() - KEY_OPERATIONS
    # Not vacuous: A's own key, asking the same questions, sees its data.
    names = {"Spring Sale", "clinic.example", "dentist cdmx", "zelda@example.com", "Zelda"}
    assert names <= seen_by_a
    assert (
        tenants.ids["customer"] in seen_by_a and set(tenants.ids["entities"].values()) <= seen_by_a
    )


def test_the_answers_are_empty_not_merely_scrubbed(api: Api, tenants: Tenants) -> None:
    # B has no data: a list answer is empty and money is zero, whatever A's ids say.
    asked: tuple[tuple[str, dict[str, str]], ...] = (
        ("/customers", {"search": "ana", "goal": "payment_received"}),
        ("/visitors", {}),
        ("/campaigns", {"level": "ad"}),
        ("/keywords", {}),
        ("/conversions", {}),
    )
    for path, query in asked:
        body = get(api, path, tenants.b_key, **PERIOD, **query)
        assert body["data"] in ([], {}) or _all_zero(body["data"]), (path, body)
    journey = get(api, f"/customers/{tenants.ids['customer']}/journey", tenants.b_key)
    assert journey["data"] == [] or not journey["data"].get("events"), journey
    trend = get(api, "/campaigns/trend", tenants.b_key,
                entity_ids=tenants.ids["entities"]["campaign"], **PERIOD)  # fmt: skip
    assert _all_zero(trend["data"]), trend
    contacts = api.served.client.post("/api/v1/contacts", headers=tenants.b_key,
                                      json={"emails": ["ana@example.com"]})  # fmt: skip
    assert contacts.json() == {"message": "No contacts found for the given parameters."}


def _all_zero(data: Any) -> bool:
    """Every number in `data` is 0 (dates, labels and nulls aside)."""
    numbers = [v for v in _leaves(data) if isinstance(v, int | float) and not isinstance(v, bool)]
    return all(v == 0 for v in numbers)


def _leaves(data: Any) -> Iterator[Any]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _leaves(value)
    elif isinstance(data, list):
        for value in data:
            yield from _leaves(value)
    else:
        yield data


def test_the_secret_list_is_real(tenants: Tenants) -> None:
    # Guards the test itself: the ids it hunts for were really found in A's answers.
    assert len(tenants.ids["conversions"]) >= 5 and len(tenants.ids["visitors"]) >= 4
    assert all(json.dumps(s) for s in tenants.secrets)
