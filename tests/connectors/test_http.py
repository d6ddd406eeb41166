"""The API client against a real loopback server: retries, Retry-After, auth failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from tests.connectors.fixture_server import Answer, FixtureServer

from touchline.connectors.base import (
    HttpOptions,
    ProviderAuthExpired,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from touchline.connectors.http import ApiClient, retry_after


def client(server: FixtureServer, waits: list[float], retries: int = 3) -> ApiClient:
    options = HttpOptions(sleep=waits.append, max_retries=retries, clock=lambda: 1_000.0)
    return ApiClient(server.url, headers={"Authorization": "Bearer t"}, http=options)


def test_a_429_is_retried_after_the_seconds_the_provider_asks(
    provider_api: FixtureServer,
) -> None:
    provider_api.route(
        "GET", "/v1/things",
        Answer.json({"message": "slow down"}, 429, **{"Retry-After": "7"}),
        Answer.json({"data": [1, 2]}),
    )  # fmt: skip
    waits: list[float] = []
    with client(provider_api, waits) as api:
        assert api.get_json("/v1/things", {"limit": 2}) == {"data": [1, 2]}
    assert waits == [7.0]
    assert [r.query for r in provider_api.requests] == [{"limit": ["2"]}] * 2
    assert provider_api.requests[0].headers["authorization"] == "Bearer t"


def test_server_errors_back_off_exponentially_then_give_up(provider_api: FixtureServer) -> None:
    provider_api.route("GET", "/v1/things", Answer.json({"error": "boom"}, 503))
    waits: list[float] = []
    with client(provider_api, waits, retries=3) as api, pytest.raises(ProviderUnavailable):
        api.get_json("/v1/things")
    assert waits == [1.0, 2.0, 4.0]
    assert len(provider_api.requests) == 4


def test_an_expired_token_is_not_retried(provider_api: FixtureServer) -> None:
    provider_api.route(
        "GET", "/v1/things", Answer.json({"error": {"message": "token expired"}}, 401)
    )
    waits: list[float] = []
    with client(provider_api, waits) as api, pytest.raises(ProviderAuthExpired) as caught:
        api.get_json("/v1/things")
    assert "token expired" in caught.value.message
    assert waits == []


def test_other_client_errors_carry_the_providers_message(provider_api: FixtureServer) -> None:
    provider_api.route("POST", "/v1/q", Answer.json({"message": "bad field foo"}, 400))
    with client(provider_api, []) as api, pytest.raises(ProviderError) as caught:
        api.post_json("/v1/q", {"q": 1})
    assert type(caught.value) is ProviderError
    assert "bad field foo" in caught.value.message
    assert provider_api.requests[0].body == b'{"q":1}'


def test_rate_limits_that_outlast_the_retries_surface_as_rate_limited(
    provider_api: FixtureServer,
) -> None:
    provider_api.route("GET", "/x", Answer.json({}, 429, **{"Retry-After": "1"}))
    with client(provider_api, [], retries=1) as api, pytest.raises(ProviderRateLimited):
        api.get_json("/x")


def test_a_provider_classifier_reads_errors_its_own_way(provider_api: FixtureServer) -> None:
    provider_api.route(
        "GET", "/x", Answer.json({"error": {"code": 17}}, 400), Answer.json({"ok": True})
    )

    def classify(response: httpx.Response) -> ProviderError | None:
        if response.json().get("error", {}).get("code") == 17:
            return ProviderRateLimited("user request limit", retry_after=30)
        return None

    waits: list[float] = []
    options = HttpOptions(sleep=waits.append, max_retries=2)
    with ApiClient(provider_api.url, http=options, classify=classify) as api:
        assert api.get_json("/x") == {"ok": True}
    assert waits == [30]


def test_an_unreachable_provider_is_unavailable() -> None:
    options = HttpOptions(sleep=lambda _s: None, max_retries=1, timeout_seconds=2)
    with ApiClient("http://127.0.0.1:9", http=options) as api, pytest.raises(ProviderUnavailable):
        api.get_json("/x")


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    dated = httpx.Response(429, headers={"Retry-After": later})
    assert retry_after(dated, now.timestamp()) == 90
    assert retry_after(httpx.Response(429, headers={"Retry-After": "12"}), 0) == 12
    assert retry_after(httpx.Response(429, headers={"Retry-After": "soon"}), 0) is None
    assert retry_after(httpx.Response(429), 0) is None
