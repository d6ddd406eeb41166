"""The Shopify web pixel (the custom-pixel code `touchline tracking-key shopify` prints), run in
a stand-in for Shopify's sandbox (tests/browser/site/checkout.html: an opaque-origin iframe
with the standard API, storage calls carried out in the top frame) and fed Shopify's standard
events in their documented shapes: the checkout's `add_to_cart`, `checkout_started` and
`purchase` arrive as the storefront visitor, in the storefront's session, and are stored;
the buyer is identified; the Shopify webhook's order is then credited to the ad visit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Route
from tests.browser.harness import Site, Touchline, wait_until

from touchline.connectors import service
from touchline.control.repos import customers

ORDER_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "shopify" / "order_1001.json"
ORDER_ID = "5940139491234"
TOKEN = "c1-7d3a9f2e5b8c4a1d"
EMAIL = "Ana.Garcia@Example.com"
SECRET = "shpss_pixel_e2e"


def customer_event(name: str, data: dict[str, Any], site: Site, event_id: str) -> dict[str, Any]:
    """A Shopify customer event as the Web Pixels API delivers it."""
    url = site.url("checkouts/cn/hWN1/thank-you")
    return {
        "id": event_id,
        "clientId": "3f0c1b9e-2d4a-4c3e-9a7b-5e6f7a8b9c0d",
        "name": name,
        "seq": 3,
        "type": "standard",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "context": {
            "document": {
                "location": {"href": url, "protocol": "http:", "pathname": "/checkouts/cn/hWN1"},
                "referrer": site.url("cart"),
                "title": "Checkout - Touchline Test",
            },
            "navigator": {"userAgent": "Mozilla/5.0", "language": "en-US"},
        },
        "data": data,
    }


def money(amount: float) -> dict[str, Any]:
    return {"amount": amount, "currencyCode": "USD"}


VARIANT = {
    "id": "44610569208040",
    "title": "42",
    "sku": "TR-42",
    "price": money(99.5),
    "product": {"id": "8266836345064", "title": "Trail Runner", "vendor": "Touchline Test"},
}
ADDED_TO_CART = {"cartLine": {"cost": {"totalAmount": money(199.0)}, "merchandise": VARIANT,
                              "quantity": 2}}  # fmt: skip
ADDRESS = {"firstName": "Ana", "lastName": "García", "phone": "+1 415 555 0134",
           "city": "Oakland", "countryCode": "US"}  # fmt: skip


def checkout(*, completed: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "token": TOKEN,
        "currencyCode": "USD",
        "email": EMAIL,
        "phone": None,
        "billingAddress": ADDRESS,
        "lineItems": [{"id": "1", "quantity": 2, "title": "Trail Runner", "variant": VARIANT}],
        "subtotalPrice": money(199.0),
        "totalPrice": money(199.0),
    }
    if completed:
        found["order"] = {"id": f"gid://shopify/Order/{ORDER_ID}",
                          "customer": {"id": "7390123456789", "isFirstOrder": True}}  # fmt: skip
    return {"checkout": found}


def start_pixel(page: Page, site: Site, init: dict[str, Any] | None = None) -> None:
    page.goto(site.url("checkout.html"))
    context = {"document": {"location": {"href": site.url("checkout.html"), "protocol": "http:"}}}
    page.evaluate("init => startPixel(init)", init or {"context": context, "data": {}})
    page.wait_for_function("window.pixelReady === true")


def emit(page: Page, event: dict[str, Any]) -> None:
    page.evaluate("event => shopifyEmit(event)", event)


def checkout_events(page: Page, site: Site) -> None:
    emit(page, customer_event("product_added_to_cart", ADDED_TO_CART, site, "sh-cart-1"))
    emit(page, customer_event("checkout_started", checkout(completed=False), site, "sh-start-1"))
    emit(page, customer_event("checkout_completed", checkout(completed=True), site, "sh-done-1"))


def test_checkout_events_arrive_as_the_storefront_visitor_in_its_session(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("index.html?utm_source=facebook&utm_medium=paid&utm_campaign=fall"))
    [view] = touchline.recorder.wait_for(type="page_view")
    start_pixel(page, site)
    checkout_events(page, site)
    [purchase] = touchline.recorder.wait_for(name="purchase")
    [cart] = touchline.recorder.events(name="add_to_cart")
    [started] = touchline.recorder.events(name="checkout_started")
    identifies = touchline.recorder.events(type="identify")

    for event in (cart, started, purchase, *identifies):
        assert (event["anonymous_id"], event["session_id"]) == (
            view["anonymous_id"],
            view["session_id"],
        )
        assert event["url"] == site.url("checkouts/cn/hWN1/thank-you")
    assert cart["type"] == "track"
    assert cart["event_id"] == "shopify:sh-cart-1"
    assert cart["payload"] == {
        "product_id": "8266836345064", "variant_id": "44610569208040", "title": "Trail Runner",
        "sku": "TR-42", "price": 99.5, "quantity": 2, "value": 199, "currency": "USD",
    }  # fmt: skip
    assert started["payload"]["checkout_token"] == TOKEN
    assert (started["payload"]["value"], started["payload"]["currency"]) == (199, "USD")
    assert (purchase["event_id"], identifies[-1]["event_id"]) == (
        "shopify:sh-done-1",
        "shopify:sh-done-1:identify",
    )
    assert purchase["type"] == "revenue"
    assert purchase["revenue"] == {"amount": 199, "currency": "USD"}
    assert purchase["payload"]["order_id"] == ORDER_ID
    assert purchase["payload"]["provider_ref"] == ORDER_ID
    assert purchase["payload"]["checkout_token"] == TOKEN
    assert purchase["payload"]["items"][0]["quantity"] == 2
    assert identifies[-1]["identity"] == {
        "email": EMAIL, "phone": "+1 415 555 0134", "first_name": "Ana", "last_name": "García",
        "shopify_customer_id": "7390123456789",
    }  # fmt: skip
    # The pixel reads and writes the storefront's storage only through Shopify's API.
    assert "localStorage.getItem" in page.evaluate("pixelCalls")

    touchline.settle()
    assert touchline.rows(
        "SELECT name, type, anonymous_id FROM events WHERE name IN"
        " ('add_to_cart', 'checkout_started', 'purchase') ORDER BY name"
    ) == [
        ("add_to_cart", "track", view["anonymous_id"]),
        ("checkout_started", "track", view["anonymous_id"]),
        ("purchase", "revenue", view["anonymous_id"]),
    ]
    with touchline.runtime.database.read() as session:
        buyer = customers.find(session, touchline.profile_id, "email", EMAIL.lower())
    assert buyer is not None
    assert touchline.rows(
        "SELECT customer_id FROM identity_map WHERE kind = 'anonymous_id' AND value = $v",
        v=view["anonymous_id"],
    ) == [(buyer.id,)]


def test_a_customer_event_delivered_twice_is_stored_once(
    page: Page, site: Site, touchline: Touchline
) -> None:
    start_pixel(page, site)
    cart = customer_event("product_added_to_cart", ADDED_TO_CART, site, "sh-cart-9")
    emit(page, cart)
    emit(page, cart)  # a second pixel, or Shopify repeating itself
    wait_until(
        lambda: len(touchline.recorder.deliveries(name="add_to_cart")) == 2, "two deliveries"
    )
    assert len(touchline.recorder.events(name="add_to_cart")) == 1  # one event_id
    touchline.settle()
    assert touchline.rows("SELECT count(*) FROM events WHERE name = 'add_to_cart'") == [(1,)]


def test_a_checkout_before_any_storefront_visit_makes_the_ids_the_tracker_then_keeps(
    page: Page, site: Site, touchline: Touchline
) -> None:
    """A buyer who lands in checkout first (a link from an email): the pixel makes the ids,
    in the top frame's storage, and the storefront tracker carries on with them."""
    start_pixel(page, site)
    emit(page, customer_event("checkout_started", checkout(completed=False), site, "sh-s-2"))
    [started] = touchline.recorder.wait_for(name="checkout_started")
    assert page.evaluate("localStorage.getItem('atribu_anon_id')") == started["anonymous_id"]
    page.goto(site.url("index.html"))
    [view] = touchline.recorder.wait_for(type="page_view")
    assert (view["anonymous_id"], view["session_id"]) == (
        started["anonymous_id"],
        started["session_id"],
    )


def test_a_failed_send_is_tried_again(page: Page, site: Site, touchline: Touchline) -> None:
    failures: list[str] = []

    def fail_once(route: Route) -> None:
        if not failures:
            failures.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.context.route(f"{touchline.origin}/api/tracking/collect", fail_once)
    start_pixel(page, site)
    emit(page, customer_event("product_added_to_cart", ADDED_TO_CART, site, "sh-cart-3"))
    # Playwright runs the route's handler while this thread waits in the page, not in sleep.
    for _ in range(150):
        if touchline.recorder.events(name="add_to_cart"):
            break
        page.wait_for_timeout(100)
    assert failures == [f"{touchline.origin}/api/tracking/collect"]
    [cart] = touchline.recorder.wait_for(name="add_to_cart")
    assert cart["event_id"] == "shopify:sh-cart-3"


def test_the_webhooks_order_is_credited_to_the_ad_visit_the_pixel_tied_it_to(
    page: Page, site: Site, touchline: Touchline
) -> None:
    """The spec's Shopify flow: an ad click on the storefront, the pixel's purchase with the
    buyer's email, then the `orders/create` webhook (no cart attribute): the order is the
    storefront visitor's, and its credit goes to the ad's session."""
    page.goto(site.url("index.html?utm_source=facebook&utm_medium=paid&utm_campaign=fall"))
    [view] = touchline.recorder.wait_for(type="page_view")
    start_pixel(page, site)
    emit(page, customer_event("checkout_completed", checkout(completed=True), site, "sh-done-2"))
    touchline.recorder.wait_for(name="purchase")
    touchline.settle()

    runtime = touchline.runtime
    connection = service.connect(
        database=runtime.database, box=runtime.secret_box, provider="shopify",
        profile_id=touchline.profile_id, actor="test",
        values={"shop": "touchline-test", "webhook_secret": SECRET},
    )  # fmt: skip
    order = json.loads(ORDER_FIXTURE.read_text())
    placed = (datetime.now(UTC) + timedelta(seconds=5)).isoformat()
    order.update(id=int(ORDER_ID), email=EMAIL.lower(), created_at=placed, processed_at=placed,
                 note_attributes=[], landing_site=None)  # fmt: skip
    raw = json.dumps(order).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest())
    request = urllib.request.Request(
        f"{touchline.origin}/webhooks/shopify/{connection.id}", data=raw, method="POST",
        headers={"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": signature.decode(),
                 "X-Shopify-Shop-Domain": "touchline-test.myshopify.com",
                 "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=15) as answer:
        assert answer.status == 200
    runtime.loader.drain()

    assert touchline.rows("SELECT goal_key, revenue_type, value FROM conversions") == [
        ("order_placed", "gross", Decimal("199.0000"))
    ]
    assert touchline.rows("SELECT touch_type, channel, utm_campaign, last_touch FROM credits") == [
        ("session", "Paid Social", "fall", 1.0)
    ]
    assert view["anonymous_id"]
