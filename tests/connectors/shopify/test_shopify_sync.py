"""The Shopify order sync against recorded Admin API answers on a loopback server: Link-header
`page_info` paging, the cursor, Shopify's 429 with Retry-After and an invalid token; payments
and refunds only on a connection whose paid orders are cash."""

from __future__ import annotations

from datetime import date

import pytest
from tests.connectors.fixture_server import Answer, FixtureServer, recorded

from touchline.connectors.base import Connection, HttpOptions, Provider, ProviderAuthExpired
from touchline.connectors.shopify.client import ORDERS_PATH
from touchline.connectors.shopify.sync import sync

PAGE_INFO = "eyJsYXN0X2lkIjo1OTQwMTM5NDkxMzAwLCJsYXN0X3ZhbHVlIjoiMjAyNi0xMC0wNiJ9"


def connection(server: FixtureServer, *, cash: bool = True, **cursors: str) -> Connection:
    config = {"shop": "touchline-test.myshopify.com", "api_base": server.url}
    if cash:
        config["paid_orders_as_cash"] = "true"
    return Connection(
        connection_id="con_1", profile_id="prof_1", provider=Provider.SHOPIFY, config=config,
        secrets={"webhook_secret": "s", "access_token": "shpat_test"}, cursors=cursors,
    )  # fmt: skip


def two_pages(server: FixtureServer, *first: Answer) -> None:
    link = f'<{server.url}{ORDERS_PATH}?limit=250&page_info={PAGE_INFO}>; rel="next"'
    server.route(
        "GET", ORDERS_PATH, *first,
        recorded("shopify/orders_page_1.json", Link=link),
        recorded("shopify/orders_page_2.json"),
    )  # fmt: skip


def test_orders_are_paged_by_page_info_and_the_cursor_is_the_newest_update(
    provider_api: FixtureServer,
) -> None:
    two_pages(provider_api)
    pages = list(sync(connection(provider_api), since=None, http=HttpOptions()))
    names = [[e.name for e in page.events] for page in pages]
    assert names == [
        ["order_placed", "payment_received", "order_placed"],
        ["order_placed", "payment_received", "payment_refunded"],
    ]
    assert [p.cursor for p in pages] == ["2026-10-06T09:00:01-04:00", "2026-10-08T11:00:03-04:00"]
    first, second = provider_api.requests
    assert first.headers["x-shopify-access-token"] == "shpat_test"
    assert first.query == {"status": ["any"], "limit": ["250"], "order": ["updated_at asc"]}
    assert second.query == {"limit": ["250"], "page_info": [PAGE_INFO]}


def test_by_default_the_sync_brings_orders_as_gross_only(provider_api: FixtureServer) -> None:
    two_pages(provider_api)
    pages = list(sync(connection(provider_api, cash=False), since=None, http=HttpOptions()))
    names = [[e.name for e in page.events] for page in pages]
    assert names == [["order_placed", "order_placed"], ["order_placed"]]
    # The cursor still moves past the paid and refunded orders: nothing is read again.
    assert [p.cursor for p in pages] == ["2026-10-06T09:00:01-04:00", "2026-10-08T11:00:03-04:00"]


def test_a_run_resumes_from_the_cursor_and_since_backfills_from_a_day(
    provider_api: FixtureServer,
) -> None:
    provider_api.route("GET", ORDERS_PATH, recorded("shopify/orders_page_2.json"))
    list(sync(connection(provider_api, orders="2026-10-06T09:00:01-04:00"), since=None,
              http=HttpOptions()))  # fmt: skip
    list(sync(connection(provider_api, orders="x"), since=date(2026, 9, 1), http=HttpOptions()))
    assert [r.query["updated_at_min"] for r in provider_api.requests] == [
        ["2026-10-06T09:00:01-04:00"],
        ["2026-09-01T00:00:00Z"],
    ]


def test_a_429_waits_as_long_as_shopify_says_then_continues(provider_api: FixtureServer) -> None:
    two_pages(provider_api, recorded("shopify/throttled.json", 429, **{"Retry-After": "2.0"}))
    waits: list[float] = []
    pages = list(sync(connection(provider_api), since=None, http=HttpOptions(sleep=waits.append)))
    assert waits == [2.0]
    assert len(pages) == 2


def test_an_invalid_token_is_an_expired_connection(provider_api: FixtureServer) -> None:
    provider_api.route("GET", ORDERS_PATH, recorded("shopify/unauthorized.json", 401))
    with pytest.raises(ProviderAuthExpired, match="Invalid API key or access token"):
        list(sync(connection(provider_api), since=None, http=HttpOptions(sleep=lambda _: None)))


def test_without_an_access_token_the_connection_is_webhooks_only(
    provider_api: FixtureServer,
) -> None:
    webhooks_only = Connection(
        connection_id="con_1", profile_id="prof_1", provider=Provider.SHOPIFY,
        config={"shop": "s", "api_base": provider_api.url}, secrets={"webhook_secret": "s"},
    )  # fmt: skip
    assert list(sync(webhooks_only, since=None, http=HttpOptions())) == []
    assert provider_api.requests == []
