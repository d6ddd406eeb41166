"""The Python client: against a real server for the endpoints it has (keys: answers, rate-limit
state, typed errors with code, status and request id), its endpoint table against the server's
OpenAPI document, and its pagination helpers and encoding over `httpx.MockTransport`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from tests.api.live import Live, live_server
from tests.api.world import build, every_scope_key
from tests.attribution.journeys import World

from touchline.api.app import build_api
from touchline.client import (
    Conflict,
    InvalidDateRange,
    NotFound,
    RateLimited,
    ServerError,
    Touchline,
    Unauthorized,
)
from touchline.client.endpoints import ENDPOINTS


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Live]]:
    w = build(tmp_path_factory.mktemp("client"))
    with live_server(w.settings) as live:
        yield w, live


def test_rotation_answers_the_new_key_with_request_id_and_units_left(
    served: tuple[World, Live],
) -> None:
    w, live = served
    with Touchline(live.api, every_scope_key(w, rate_limit=5)) as api:
        rotated = api.rotate_key()
        assert rotated.status == 200 and rotated.data["key"].startswith("atb_live_")
        assert rotated.meta == {"profile_id": w.profile.profile_id}
        assert rotated.request_id.startswith("req_")
        assert (rotated.rate_limit.limit, rotated.rate_limit.remaining) == (5, 4)
        with Touchline(live.api, rotated.data["key"]) as successor:
            assert successor.revoke_key().data["revoked_at"] is not None


def test_a_revoked_key_raises_unauthorized_with_code_status_and_request_id(
    served: tuple[World, Live],
) -> None:
    w, live = served
    with Touchline(live.api, every_scope_key(w)) as api:
        api.revoke_key()
        with pytest.raises(Unauthorized) as raised:
            api.rotate_key()
    error = raised.value
    assert (error.code, error.status) == ("unauthorized", 401)
    assert error.request_id.startswith("req_") and error.request_id in str(error)


def test_running_out_of_units_raises_rate_limited_with_retry_after(
    served: tuple[World, Live],
) -> None:
    w, live = served
    with Touchline(live.api, every_scope_key(w, rate_limit=1)) as api:
        api.rotate_key()
        with pytest.raises(RateLimited) as raised:
            api.rotate_key()
        assert api.rate_limit.remaining == 0
    assert raised.value.status == 429 and raised.value.code == "rate_limit_exceeded"
    assert raised.value.retry_after is not None and 1 <= raised.value.retry_after <= 60


def test_every_operation_of_the_server_has_a_client_method() -> None:
    table = {(e.method, e.path) for e in ENDPOINTS.values()}
    document = build_api().openapi()
    served = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert served - table == set()


Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler) -> Touchline:
    return Touchline(
        "https://touchline.test/api/v1", "atb_live_k", transport=httpx.MockTransport(handler)
    )


def test_customers_iterate_every_page_by_splitting_the_cursor() -> None:
    seen: list[dict[str, str]] = []
    pages = {
        None: ([1, 2], {"has_next": True, "cursor": "2026-03-22T14:30:00Z|c2"}),
        "c2": ([3], {"has_next": False, "cursor": None}),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        seen.append(params)
        rows, pagination = pages[params.get("cursor_id")]
        return httpx.Response(200, json={"data": rows, "pagination": pagination, "meta": {}})

    with _client(handler) as api:
        assert list(api.iter_customers("2026-03-01", "2026-03-25", goal="payment_received")) == [
            1,
            2,
            3,
        ]
    assert seen[1]["cursor_time"] == "2026-03-22T14:30:00Z" and seen[1]["cursor_id"] == "c2"
    assert seen[0] == {"date_from": "2026-03-01", "date_to": "2026-03-25",
                       "goal": "payment_received", "limit": "100"}  # fmt: skip


def test_a_journey_is_read_offset_by_offset_until_total_count() -> None:
    events = list(range(5))

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.split(b"?")[0]
        assert path == b"/api/v1/customers/a%2Fb/journey"  # the id stays one segment
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        data = {"events": events[offset : offset + limit], "total_count": len(events)}
        return httpx.Response(200, json={"data": data, "meta": {}})

    with _client(handler) as api:
        assert list(api.iter_customer_journey("a/b", page_size=2)) == events


def test_contacts_page_by_records_processed_and_profiles_by_page_number() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/contacts"):
            body = json.loads(request.content)
            assert request.method == "POST" and body["emails"] == ["a@x.test"]
            more = body["offset"] == 0
            return httpx.Response(200, json={"contacts": [body["offset"]], "pagination": {
                "records_processed": 200 if more else 321, "total_records": 321,
                "has_more": more}})  # fmt: skip
        page = int(request.url.params["page"])
        assert request.url.params["sortOrder"] == "asc"
        return httpx.Response(200, json={"data": [page] * (2 if page < 3 else 1)})

    with _client(handler) as api:
        assert list(api.iter_contacts(emails=["a@x.test"])) == [0, 200]
        assert list(api.iter_customer_profiles(sort_order="asc", page_size=2)) == [1, 1, 2, 2, 3]


def test_filters_are_sent_as_filter_brackets_and_errors_are_typed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/timeseries"):
            assert request.url.params["filter[channel]"] == "is:Paid Social"
            error = {"code": "invalid_date_range", "message": "bad", "status": 400,
                     "request_id": "req_1"}  # fmt: skip
            return httpx.Response(400, json={"error": error})
        return httpx.Response(502, text="bad gateway", headers={"x-request-id": "req_2"})

    with _client(handler) as api:
        with pytest.raises(InvalidDateRange) as invalid:
            api.timeseries("2026-03-02", "2026-03-01", filters={"channel": "is:Paid Social"})
        assert (invalid.value.status, invalid.value.request_id) == (400, "req_1")
        with pytest.raises(ServerError) as failed:
            api.realtime()
        assert (failed.value.code, failed.value.request_id) == ("http_502", "req_2")


def test_customer_profile_methods_against_the_server(served: tuple[World, Live]) -> None:
    w, live = served
    with Touchline(live.api, every_scope_key(w, rate_limit=1000)) as api:
        made = api.upsert_customer_profile(external_id="cli-1", email="Cli@Example.com",
                                           first_name="Cleo")  # fmt: skip
        customer = made.data["customer"]
        assert made.data["created"] is True and customer["email"] == "cli@example.com"
        assert api.customer_profile("ext_cli-1").data["id"] == customer["id"]
        changed = api.update_customer_profile(customer["id"], last_name="Ray")
        assert changed.data["display_name"] == "Cleo Ray"
        with pytest.raises(Conflict) as raised:
            api.upsert_customer_profile(external_id="cli-2", email="cli@example.com")
        assert raised.value.code == "duplicate_external_id"
        listed = list(api.iter_customer_profiles(search="cli@", page_size=1))
        assert [row["id"] for row in listed] == [customer["id"]]
        count = api.customer_profile_count().data["count"]
        cohorts = api.customer_profile_cohorts(group_by="month").data["cohorts"]
        assert sum(c["customers"] for c in cohorts) == count
        assert api.customer_profile_ltv_cohorts(months=2).data["months"] == 2
        assert api.customer_profile_journey(customer["id"]).data["total_count"] == 0
        assert api.customer_profile_attribution(customer["id"], model="linear").data[
            "conversions"] == []  # fmt: skip
        assert api.recalculate_customer_profile_ltv(customer["id"]).data["ltv"] == 0.0
        with pytest.raises(NotFound):
            api.unmerge_customer_profile(customer["id"], merge_id="nope")
        assert api.delete_customer_profile(customer["id"]).data["deleted"] is True
        with pytest.raises(NotFound):
            api.customer_profile(customer["id"])
        assert api.customer_profile_count().data["count"] == count - 1
