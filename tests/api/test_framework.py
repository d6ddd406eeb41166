"""The API's shared behaviour: keys, scopes, rate limits and their headers, the error
envelope on every answer, rotation and revocation, the OpenAPI document."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from starlette.testclient import TestClient
from tests.api.conftest import Api

from touchline.analytics.filters import Dimension, Operator, parse_filters
from touchline.api import params
from touchline.errors import InvalidDateRange, InvalidParameter
from touchline.ingest.context import ProfileContext


def test_a_missing_or_unknown_key_is_a_401_envelope(api: Api) -> None:
    client = api.served.client
    for headers in ({}, {"Authorization": "Bearer atb_live_" + "x" * 40}, {"Authorization": "x"}):
        answer = client.post("/api/v1/keys/rotate", headers=headers)
        assert answer.status_code == 401
        error = answer.json()["error"]
        assert error["code"] == "unauthorized" and error["status"] == 401
        assert error["request_id"] == answer.headers["x-request-id"]


def test_unknown_paths_and_methods_answer_in_the_envelope(api: Api) -> None:
    client = api.served.client
    missing = client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = client.get("/api/v1/keys/rotate")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


def test_rotation_gives_a_second_key_and_both_work_until_the_old_is_revoked(api: Api) -> None:
    client = api.served.client
    old = api.key()
    rotated = client.post("/api/v1/keys/rotate", headers=old)
    assert rotated.status_code == 200
    body = rotated.json()
    new_key = body["data"]["key"]
    assert new_key.startswith("atb_live_") and body["meta"] == {"profile_id": api.served.profile_id}
    assert body["data"]["old_key_expires_at"] is not None
    new = {"Authorization": f"Bearer {new_key}"}
    assert client.post("/api/v1/keys/rotate", headers=old).status_code == 200  # grace period
    assert client.post("/api/v1/keys/revoke", headers=old).status_code == 200
    assert client.post("/api/v1/keys/revoke", headers=old).status_code == 401  # instant
    assert (
        client.post("/api/v1/keys/revoke", headers={"Authentication": new_key}).status_code == 200
    )
    assert client.post("/api/v1/keys/rotate", headers=new).status_code == 401


def test_rate_limit_headers_count_units_and_429_carries_retry_after(api: Api) -> None:
    client = api.served.client
    key = api.key(rate_limit=2)
    first = client.post("/api/v1/keys/rotate", headers=key)
    assert first.headers["x-ratelimit-limit"] == "2"
    assert first.headers["x-ratelimit-remaining"] == "1"
    client.post("/api/v1/keys/rotate", headers=key)
    refused = client.post("/api/v1/keys/rotate", headers=key)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["x-ratelimit-remaining"] == "0"


def test_the_limiter_never_lets_more_than_the_limit_through_under_concurrency(api: Api) -> None:
    key = api.key(rate_limit=7)
    statuses: list[int] = []
    lock = threading.Lock()

    def call(client: TestClient) -> None:
        status = client.post("/api/v1/keys/rotate", headers=key).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=call, args=(api.served.client,)) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) == 7 and statuses.count(429) == 13


def test_the_openapi_document_is_3_1_with_the_bearer_scheme_and_error_envelopes(api: Api) -> None:
    document = api.served.client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert "422" not in operation["responses"], path
            for status in ("401", "403", "429", "500"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorEnvelope"), (path, status)


PROFILE = ProfileContext("p", timezone="America/Mexico_City")


def test_periods_are_inclusive_up_to_366_days_and_bad_dates_are_invalid_date_range() -> None:
    leap = params.period("2024-01-01", "2024-12-31", PROFILE)
    assert (leap.date_from, leap.date_to) == (date(2024, 1, 1), date(2024, 12, 31))
    bad_ranges = [
        ("2024-01-01", "2025-01-01"),
        ("2026-03-02", "2026-03-01"),
        ("2026-02-30", "2026-03-01"),
        (None, "2026-03-01"),
        ("03/01/2026", "x"),
    ]
    for bad in bad_ranges:
        with pytest.raises(InvalidDateRange):
            params.period(*bad, PROFILE)


def test_limits_have_defaults_and_maxima() -> None:
    assert params.limit(None, default=10, maximum=100) == 10
    assert params.limit("100", default=10, maximum=100) == 100
    for bad in ("0", "101", "ten", "-1"):
        with pytest.raises(InvalidParameter, match="limit"):
            params.limit(bad, default=10, maximum=100)


def test_filters_parse_every_dimension_and_operator_and_refuse_the_rest() -> None:
    parsed = parse_filters([("filter[channel]", "is:Paid Social"), ("date_from", "x"),
                            ("filter[page]", "contains:/blog:2026")])  # fmt: skip
    assert [(f.dimension, f.operator, f.value) for f in parsed] == [
        (Dimension.CHANNEL, Operator.IS, "Paid Social"),
        (Dimension.PAGE, Operator.CONTAINS, "/blog:2026"),
    ]
    refused = [
        ("filter[colour]", "is:x"),
        ("filter[page]", "equals:x"),
        ("filter[page]", "is"),
        ("filter[page]", "is:"),
        ("filters", "is:x"),
    ]
    for name, value in refused:
        with pytest.raises(InvalidParameter):
            parse_filters([(name, value)])
