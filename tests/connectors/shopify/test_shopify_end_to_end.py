"""Shopify end to end: a running app, a connection, Shopify-signed webhooks posted to it (one
of them delivered twice) and an order sync against recorded Admin API pages that repeat the
same order; then the conversions: each order gross once, each payment cash once, refunds
negative (on a connection whose paid orders are cash), and a paid order bound to the
storefront visitor who came from the ad. By default a connection's orders are gross only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from httpx2 import Response
from tests.connectors.fixture_server import FixtureServer, recorded
from tests.serving import BROWSER_UA, Served, serving

from touchline.connectors import service
from touchline.connectors.base import HttpOptions
from touchline.connectors.shopify.client import ORDERS_PATH
from touchline.control.repos import connections, goals, profiles
from touchline.control.repos.connections import Health
from touchline.ingest.protocol import EventType, RawEvent
from touchline.ingest.server_events import SpoolSubmitter
from touchline.store.base import Sql

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "shopify"
SECRET = "shpss_e2e_4d1f8a"
ORDER = "5940139491234"
AD_URL = ("https://touchline-test.myshopify.com/products/trail-runner?utm_source=facebook"
          "&utm_medium=paid&utm_campaign=fall_launch&fbclid=IwAR2xYz9")  # fmt: skip


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path / "data", sync_scheduler=False) as served:
        yield served


def connect(served: Served, api: FixtureServer, *, cash: bool = True) -> str:
    """A Shopify connection; `cash`: its paid orders are cash (`--paid-orders-as-cash`)."""
    values = {"shop": "touchline-test", "webhook_secret": SECRET, "access_token": "shpat_e2e",
              "api_base": api.url}  # fmt: skip
    if cash:
        values["paid_orders_as_cash"] = "true"
    record = service.connect(
        database=served.runtime.database, box=served.runtime.secret_box, provider="shopify",
        profile_id=served.profile_id, actor="test", values=values,
    )  # fmt: skip
    return record.id


def post(served: Served, connection_id: str, topic: str, fixture: str) -> Response:
    raw = (FIXTURES / fixture).read_bytes()
    digest = hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()
    headers = {
        "X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Shop-Domain": "touchline-test.myshopify.com",
        "X-Shopify-Webhook-Id": f"{topic}-{fixture}", "Content-Type": "application/json",
    }  # fmt: skip
    return served.client.post(f"/webhooks/shopify/{connection_id}", content=raw, headers=headers)


def submitter(served: Served) -> SpoolSubmitter:
    return SpoolSubmitter(pipeline=served.runtime.pipeline, spool=served.runtime.spool)


def visit_from_the_ad(served: Served) -> None:
    """The storefront visit of the buyer's browser (the tracker's anonymous id the cart passed
    along), a day before the order, imported as the tracker would have sent it."""
    with served.runtime.database.read() as session:
        profile = profiles.get(session, served.profile_id).context()
    view = RawEvent(
        event_id="pv-1", type=EventType.PAGE_VIEW, name="page_view", anonymous_id="anon-7f3c2a",
        timestamp=datetime(2026, 10, 4, 20, tzinfo=UTC).isoformat(), url=AD_URL,
        ip="203.0.113.7", user_agent=BROWSER_UA,
    )  # fmt: skip
    assert submitter(served)(profile, "import", [view]).imported == 1


def settle(served: Served) -> None:
    while served.runtime.loader.drain_once():
        continue


def rows(served: Served, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return served.runtime.store.query(Sql(sql, params))


def route_orders(api: FixtureServer) -> None:
    link = f'<{api.url}{ORDERS_PATH}?limit=250&page_info=p2>; rel="next"'
    api.route(
        "GET", ORDERS_PATH, recorded("shopify/orders_page_1.json", Link=link),
        recorded("shopify/orders_page_2.json"),
    )  # fmt: skip


def run_sync(served: Served, connection_id: str, since: date | None = None) -> service.SyncReport:
    return service.run_sync(
        database=served.runtime.database, box=served.runtime.secret_box,
        connection_id=connection_id, submit=submitter(served), http=HttpOptions(), since=since,
    )  # fmt: skip


def test_orders_are_gross_once_and_payments_cash_once_across_webhooks_and_the_sync(
    served: Served, provider_api: FixtureServer
) -> None:
    connection_id = connect(served, provider_api)
    visit_from_the_ad(served)
    answers = [
        post(served, connection_id, "orders/create", "order_1001.json"),
        post(served, connection_id, "orders/create", "order_1001.json"),  # redelivered
        post(served, connection_id, "checkouts/create", "checkout_1001.json"),
        post(served, connection_id, "orders/paid", "order_1001.json"),
        post(served, connection_id, "refunds/create", "refund_1001.json"),
    ]
    assert [(a.status_code, a.json()["accepted"]) for a in answers] == [(200, 1)] * 5
    route_orders(provider_api)
    report = run_sync(served, connection_id)
    assert (report.health, report.pages, report.events) == (Health.OK, 2, 6)
    settle(served)

    conversions = rows(served, "SELECT goal_key, revenue_type, provider_ref, value FROM conversions"
                               " ORDER BY goal_key, provider_ref")  # fmt: skip
    assert conversions == [
        ("order_placed", "gross", ORDER, Decimal("199.0000")),
        ("order_placed", "gross", "5940139491300", Decimal("80.0000")),
        ("order_placed", "gross", "5940139491400", Decimal("120.0000")),
        ("payment_received", "cash", f"shopify_order:{ORDER}", Decimal("199.0000")),
        ("payment_received", "cash", "shopify_order:5940139491400", Decimal("120.0000")),
        ("payment_received", "cash", "shopify_refund:930000000001", Decimal("-50.0000")),
        ("payment_received", "cash", "shopify_refund:930000000002", Decimal("-30.0000")),
    ]
    assert rows(served, "SELECT sum(value) FROM conversions WHERE revenue_type = 'cash'") == [
        (Decimal("239.0000"),)
    ]
    # The redelivery and the sync's copy of order 1001 were dropped as repeated event ids.
    assert rows(
        served,
        "SELECT name, count(*) FROM events WHERE origin LIKE '%shopify'"
        " GROUP BY name ORDER BY name",
    ) == [
        ("checkout_started", 1),
        ("order_placed", 3),
        ("payment_received", 2),
        ("payment_refunded", 2),
    ]
    with served.runtime.database.read() as session:
        record = connections.get(session, connection_id)
    assert record.cursors == {"orders": "2026-10-08T11:00:03-04:00"}


def test_by_default_orders_are_gross_only_until_the_store_switches_cash_on(
    served: Served, provider_api: FixtureServer
) -> None:
    """CHECKLIST §9 #32: a paid order makes no cash and a refund no negative cash unless the
    connection says so; `orders/create` is gross either way. A Shopify-only store switches
    cash on and backfills it with the sync (same event ids: nothing doubles)."""
    connection_id = connect(served, provider_api, cash=False)
    answers = [
        post(served, connection_id, "orders/create", "order_1001.json"),
        post(served, connection_id, "orders/paid", "order_1001.json"),
        post(served, connection_id, "refunds/create", "refund_1001.json"),
    ]
    assert [(a.status_code, a.json()["accepted"]) for a in answers] == [
        (200, 1),
        (200, 0),
        (200, 0),
    ]
    route_orders(provider_api)
    report = run_sync(served, connection_id)
    assert (report.health, report.pages, report.events) == (Health.OK, 2, 3)
    settle(served)
    assert rows(served, "SELECT goal_key, revenue_type, provider_ref, value FROM conversions"
                        " ORDER BY provider_ref") == [
        ("order_placed", "gross", ORDER, Decimal("199.0000")),
        ("order_placed", "gross", "5940139491300", Decimal("80.0000")),
        ("order_placed", "gross", "5940139491400", Decimal("120.0000")),
    ]  # fmt: skip
    assert rows(served, "SELECT count(*) FROM events WHERE name IN"
                        " ('payment_received', 'payment_refunded')") == [(0,)]  # fmt: skip

    service.connect(
        database=served.runtime.database, box=served.runtime.secret_box, provider="shopify",
        profile_id=served.profile_id, actor="test", values={"paid_orders_as_cash": "true"},
        connection_id=connection_id,
    )  # fmt: skip
    route_orders(provider_api)
    backfill = run_sync(served, connection_id, since=date(2026, 10, 1))
    assert (backfill.health, backfill.events) == (Health.OK, 6)
    settle(served)
    assert rows(served, "SELECT count(*) FROM conversions WHERE revenue_type = 'gross'") == [(3,)]
    assert rows(served, "SELECT provider_ref, value FROM conversions WHERE revenue_type = 'cash'"
                        " ORDER BY provider_ref") == [
        (f"shopify_order:{ORDER}", Decimal("199.0000")),
        ("shopify_order:5940139491400", Decimal("120.0000")),
        ("shopify_refund:930000000002", Decimal("-30.0000")),
    ]  # fmt: skip


def test_a_paid_order_is_the_storefront_visitors_and_credits_their_ad_click(
    served: Served, provider_api: FixtureServer
) -> None:
    connection_id = connect(served, provider_api)
    visit_from_the_ad(served)
    post(served, connection_id, "orders/paid", "order_1001.json")
    refund = post(served, connection_id, "refunds/create", "refund_1001.json")
    assert refund.status_code == 200
    settle(served)
    ((payment_id, visitor, kind),) = rows(
        served, "SELECT conversion_id, visitor_key, identity_kind FROM conversions"
                " WHERE provider_ref = $ref", ref=f"shopify_order:{ORDER}",
    )  # fmt: skip
    assert visitor != 0 and kind == "email"
    credits = rows(served, "SELECT touch_type, channel, last_touch FROM credits"
                           " WHERE conversion_id = $c", c=payment_id)  # fmt: skip
    assert credits == [("session", "Paid Social", 1.0)]
    assert rows(served, "SELECT count(*) FROM touch_rows WHERE touch_type = 'synthetic'") == [(0,)]
    assert rows(served, "SELECT value FROM conversions WHERE refund_of = $p", p=payment_id) == [
        (Decimal("-50.0000"),)
    ]


def test_a_forged_webhook_is_refused_and_stores_nothing(
    served: Served, provider_api: FixtureServer
) -> None:
    connection_id = connect(served, provider_api)
    raw = (FIXTURES / "order_1001.json").read_bytes()
    answer = served.client.post(
        f"/webhooks/shopify/{connection_id}", content=raw,
        headers={"X-Shopify-Topic": "orders/paid", "X-Shopify-Hmac-Sha256": "Zm9yZ2Vk"},
    )  # fmt: skip
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_signature"
    settle(served)
    assert rows(served, "SELECT count(*) FROM events") == [(0,)]


def test_the_pixels_purchase_and_the_orders_webhook_count_one_order_by_the_checkout(
    served: Served, provider_api: FixtureServer
) -> None:
    """`purchase` mapped into `order_placed` (`touchline goals edit`); the pixel saw the checkout
    but not yet its order id. The webhook's order names the same checkout token: one order,
    the pixel's, completed with the webhook's campaign data (CHECKLIST §2.4)."""
    connection_id = connect(served, provider_api, cash=False)
    with served.runtime.database.transaction() as session:
        goals.ensure_defaults(session, served.profile_id)
        goals.edit_sources(session, profile_id=served.profile_id, key="order_placed",
                           add=["purchase"])  # fmt: skip
    token = "8f2a6b1c3d4e5f60718293a4b5c61001"  # order_1001.json's checkout_token
    purchase = {
        "event_id": "shopify:sh-7c1e", "type": "revenue", "name": "purchase",
        "anonymous_id": "anon-7f3c2a", "timestamp": int(time.time() * 1000),
        "url": "https://touchline-test.myshopify.com/checkouts/c/1001/thank-you",
        "revenue": {"amount": 199, "currency": "USD"},
        "payload": {"checkout_token": token, "provider_ref": token},
    }  # fmt: skip
    answer = served.client.post(
        "/api/tracking/collect", json={"tracking_key": served.tracking_key, "events": [purchase]}
    )
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"accepted": 1}
    settle(served)
    assert post(served, connection_id, "orders/create", "order_1001.json").status_code == 200
    settle(served)

    assert rows(
        served, "SELECT conversion_id, event_name, goal_key, provider_ref, checkout_ref,"
                " utm_source, reporting_value FROM conversions",
    ) == [
        ("shopify:sh-7c1e", "purchase", "order_placed", token, token, "facebook",
         Decimal("199.0000"))
    ]  # fmt: skip
