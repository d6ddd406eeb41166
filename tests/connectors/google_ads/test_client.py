"""The Google Ads client and Google's auth and errors against a loopback server: batches of a
stream, a stream failing midway, customer ids, tokens, and error answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from tests.connectors.fixture_server import FIXTURES, FixtureServer, recorded

from touchline.connectors import google_api
from touchline.connectors.base import (
    Connection,
    HttpOptions,
    Provider,
    ProviderAuthExpired,
    ProviderError,
    ProviderRateLimited,
)
from touchline.connectors.google_ads.client import Customer, GoogleAdsClient, digits

STREAM = "/v18/customers/1234567890/googleAds:searchStream"


def connection(server: FixtureServer, **secrets: str) -> Connection:
    return Connection(
        connection_id="c",
        profile_id="p",
        provider=Provider.GOOGLE_ADS,
        config={"customer_id": "123-456-7890", "api_base": server.url},
        secrets={"developer_token": "dev", **secrets},
    )


def test_each_batch_of_a_stream_is_a_list_of_rows(provider_api: FixtureServer) -> None:
    provider_api.route("POST", STREAM, recorded("google_ads/metrics_campaign.json"))
    with GoogleAdsClient(connection(provider_api, access_token="ya29"), HttpOptions()) as ads:
        batches = ads.search_stream("SELECT campaign.id FROM campaign")
    assert [len(batch) for batch in batches] == [2, 2]
    [asked] = provider_api.requests
    assert asked.headers["authorization"] == "Bearer ya29"
    assert "login-customer-id" not in asked.headers


def test_a_stream_that_fails_midway_raises_instead_of_returning_part(
    provider_api: FixtureServer,
) -> None:
    provider_api.route("POST", STREAM, recorded("google_ads/error_midstream.json"))
    with (
        GoogleAdsClient(connection(provider_api, access_token="t"), HttpOptions()) as ads,
        pytest.raises(ProviderError, match="failed midway: The service is currently unavailable"),
    ):
        ads.search_stream("SELECT campaign.id FROM campaign")


def test_the_customer_gives_currency_and_the_accounts_own_day(provider_api: FixtureServer) -> None:
    provider_api.route("POST", STREAM, recorded("google_ads/customer.json"))
    with GoogleAdsClient(connection(provider_api, access_token="t"), HttpOptions()) as ads:
        customer = ads.customer()
    assert customer == Customer("1234567890", "EUR", "Europe/Madrid")
    assert customer.today(datetime(2026, 10, 6, 23, 30, tzinfo=UTC)) == date(2026, 10, 7)


def test_without_a_refresh_token_the_access_token_is_used(provider_api: FixtureServer) -> None:
    assert (
        google_api.access_token(connection(provider_api, access_token="ya29"), HttpOptions())
        == "ya29"
    )
    with pytest.raises(ProviderAuthExpired, match="no access_token"):
        google_api.access_token(connection(provider_api), HttpOptions())


def test_a_refresh_token_mints_an_access_token(provider_api: FixtureServer) -> None:
    provider_api.route("POST", "/token", recorded("google_ads/token.json"))
    found = google_api.access_token(
        connection(provider_api, refresh_token="1//r", client_secret="cs"), HttpOptions()
    )
    assert found == "ya29.a0AfB_recorded-access-token"
    body = provider_api.requests[0].body.decode()
    assert "grant_type=refresh_token" in body and "refresh_token=1%2F%2Fr" in body


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected", "wait"),
    [
        (429, "google_ads/error_resource_exhausted.json", {}, ProviderRateLimited, 30.0),
        (401, "google_ads/error_unauthenticated.json", {}, ProviderAuthExpired, None),
        (400, "google_ads/token_invalid_grant.json", {}, ProviderAuthExpired, None),
    ],
)
def test_googles_error_answers(
    status: int,
    body: str,
    headers: dict[str, str],
    expected: type[ProviderError],
    wait: float | None,
) -> None:
    response = httpx.Response(status, content=(FIXTURES / body).read_bytes(), headers=headers)
    found = google_api.classify(response)
    assert type(found) is expected
    if wait is not None:
        assert isinstance(found, ProviderRateLimited) and found.retry_after == wait


def test_search_consoles_quota_reason_is_a_rate_limit_with_retry_after() -> None:
    body = {
        "error": {
            "code": 403,
            "message": "Quota exceeded for quota metric",
            "errors": [{"reason": "quotaExceeded", "domain": "usageLimits"}],
        }
    }
    found = google_api.classify(httpx.Response(403, json=body, headers={"Retry-After": "12"}))
    assert isinstance(found, ProviderRateLimited) and found.retry_after == 12.0


def test_other_errors_are_left_to_the_generic_rules_which_retry_5xx() -> None:
    body = {"error": {"code": 503, "message": "backend", "status": "UNAVAILABLE"}}
    assert google_api.classify(httpx.Response(503, json=body)) is None
    assert google_api.classify(httpx.Response(500, text="<html>")) is None


@pytest.mark.parametrize(("given", "found"), [("123-456-7890", "1234567890"), ("", "")])
def test_customer_ids_lose_their_dashes(given: str, found: str) -> None:
    assert digits(given) == found


def test_a_customer_id_that_is_not_one_is_refused() -> None:
    with pytest.raises(ProviderError, match="ten digits"):
        digits("acme")
