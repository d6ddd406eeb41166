"""The Meta client against a loopback server: pages by `after` cursors (the `next` URL and its
token are never followed), appsecret_proof, and Meta's error codes in HTTP 400 answers."""

from __future__ import annotations

import hashlib
import hmac

import orjson
import pytest
from tests.connectors.fixture_server import Answer, FixtureServer, recorded

from touchline.connectors.base import (
    Connection,
    HttpOptions,
    Provider,
    ProviderAuthExpired,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from touchline.connectors.meta.client import MetaClient, account_path, next_position

BASE = "/v21.0/act_1234567890"


def client(server: FixtureServer, waits: list[float], **secrets: str) -> MetaClient:
    connection = Connection(
        connection_id="c",
        profile_id="p",
        provider=Provider.META,
        config={"account_id": "1234567890", "api_base": server.url},
        secrets={"access_token": "EAAB-token", **secrets},
    )
    return MetaClient(connection, HttpOptions(sleep=waits.append, max_retries=2))


def test_pages_follow_the_after_cursor_with_the_same_parameters(
    provider_api: FixtureServer,
) -> None:
    provider_api.route(
        "GET",
        f"{BASE}/campaigns",
        recorded("meta/campaigns_page1.json"),
        recorded("meta/campaigns_page2.json"),
    )
    with client(provider_api, []) as meta:
        first, position = meta.page("campaigns", {"fields": "id,name"}, "")
        second, last = meta.page("campaigns", {"fields": "id,name"}, position)
    assert ([o["name"] for o in first + second], position, last) == (
        ["Spring Sale", "Retargeting"],
        "QVFIUcampaigns2ZD",
        "",
    )
    asked = [r.query for r in provider_api.requests]
    assert asked[1] == {"fields": ["id,name"], "limit": ["500"], "after": ["QVFIUcampaigns2ZD"]}
    assert all(r.headers["authorization"] == "Bearer EAAB-token" for r in provider_api.requests)


def test_the_app_secret_proves_the_token_on_every_call(provider_api: FixtureServer) -> None:
    provider_api.route("GET", BASE, recorded("meta/account.json"))
    with client(provider_api, [], client_secret="app-secret") as meta:
        account = meta.account()
    assert (account.currency, account.utc_offset_hours) == ("EUR", 1.0)
    proof = hmac.new(b"app-secret", b"EAAB-token", hashlib.sha256).hexdigest()
    assert provider_api.requests[0].query["appsecret_proof"] == [proof]


@pytest.mark.parametrize(
    ("paging", "position"),
    [
        ({"cursors": {"before": "a", "after": "b"}}, ""),  # no `next`: the last page
        ({"cursors": {"after": "b"}, "next": "https://graph.facebook.com/x?after=b"}, "b"),
        ({"next": "https://graph.facebook.com/x?access_token=T&after=c2"}, "c2"),
        (None, ""),
    ],
)
def test_the_next_position_is_the_after_cursor_when_there_is_a_next_page(
    paging: object, position: str
) -> None:
    assert next_position(paging) == position


def test_a_rate_limit_waits_as_long_as_meta_says_then_retries(provider_api: FixtureServer) -> None:
    usage = {"1234567890": [{"type": "ads_insights", "estimated_time_to_regain_access": 2}]}
    provider_api.route(
        "GET",
        BASE,
        recorded(
            "meta/error_rate_limit.json",
            400,
            **{"X-Business-Use-Case-Usage": orjson.dumps(usage).decode()},
        ),
        recorded("meta/error_rate_limit.json", 400),
        recorded("meta/account.json"),
    )
    waits: list[float] = []
    with client(provider_api, waits) as meta:
        assert meta.account().currency == "EUR"
    assert waits == [120.0, 2.0]  # Meta's 2 minutes, then the usual backoff


def test_a_rate_limit_longer_than_a_run_ends_it(provider_api: FixtureServer) -> None:
    usage = {"1": [{"estimated_time_to_regain_access": 60}]}
    provider_api.route(
        "GET",
        BASE,
        recorded(
            "meta/error_rate_limit.json",
            400,
            **{"X-Business-Use-Case-Usage": orjson.dumps(usage).decode()},
        ),
    )
    waits: list[float] = []
    with client(provider_api, waits) as meta, pytest.raises(ProviderRateLimited) as caught:
        meta.account()
    assert (waits, caught.value.retry_after) == ([], 3600.0)


@pytest.mark.parametrize(
    ("error", "expected", "attempts"),
    [
        (
            {"code": 190, "error_subcode": 463, "message": "Session has expired"},
            ProviderAuthExpired,
            1,
        ),
        ({"code": 200, "message": "(#200) Requires ads_read permission"}, ProviderAuthExpired, 1),
        (
            {"code": 2, "message": "Service temporarily unavailable", "is_transient": True},
            ProviderUnavailable,
            3,
        ),
        (
            {"code": 100, "message": "(#100) Tried accessing nonexisting field (budget)"},
            ProviderError,
            1,
        ),
    ],
)
def test_metas_error_codes(
    provider_api: FixtureServer,
    error: dict[str, object],
    expected: type[ProviderError],
    attempts: int,
) -> None:
    provider_api.route(
        "GET", BASE, Answer.json({"error": {"type": "OAuthException", **error}}, 400)
    )
    with client(provider_api, []) as meta, pytest.raises(expected) as caught:
        meta.account()
    assert type(caught.value) is expected
    assert str(error["message"]) in caught.value.message
    assert len(provider_api.requests) == attempts


@pytest.mark.parametrize("given", ["act_42", "42", " act_42 "])
def test_account_ids_are_act_and_digits(given: str) -> None:
    assert account_path(given) == "act_42"


def test_an_account_id_that_is_not_one_is_refused() -> None:
    with pytest.raises(ProviderError, match="act_ and digits"):
        account_path("my-account")
