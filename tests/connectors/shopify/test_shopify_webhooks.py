"""Shopify webhook verification: Shopify's own scheme (base64 HMAC-SHA256 of the raw body),
constant-time, refusing tampered bodies, missing signatures and other shops' deliveries; and
the topics: `orders/paid` and `refunds/create` make cash only with `paid_orders_as_cash` on."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import pytest

from touchline.connectors.base import (
    Connection,
    HttpOptions,
    Provider,
    WebhookRejected,
    WebhookRequest,
)
from touchline.connectors.shopify.webhooks import receive
from touchline.errors import InvalidPayload

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "shopify"
SECRET = "shpss_5c1e0b8f0d2a4f6e9b7c3a1d"
CONNECTION = Connection(
    connection_id="con_1", profile_id="prof_1", provider=Provider.SHOPIFY,
    config={"shop": "touchline-test"}, secrets={"webhook_secret": SECRET},
)  # fmt: skip
# A store whose paid orders are cash (the switch on; off by default, CHECKLIST §9 #32).
CASH_CONNECTION = Connection(
    connection_id="con_2", profile_id="prof_1", provider=Provider.SHOPIFY,
    config={"shop": "touchline-test", "paid_orders_as_cash": "true"},
    secrets={"webhook_secret": SECRET},
)  # fmt: skip


def shopify_signature(secret: str, body: bytes) -> str:
    """How Shopify signs (computed here independently of the code under test)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def delivery(
    topic: str, body: bytes, *, signature: str | None = None, shop: str = "touchline-test"
) -> WebhookRequest:
    headers = {
        "x-shopify-topic": topic,
        "x-shopify-hmac-sha256": shopify_signature(SECRET, body)
        if signature is None
        else signature,
        "x-shopify-shop-domain": f"{shop}.myshopify.com",
        "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "x-shopify-api-version": "2024-10",
    }
    return WebhookRequest(headers, {}, body, datetime(2026, 10, 5, 14, 31, tzinfo=UTC))


def order_body() -> bytes:
    return (FIXTURES / "order_1001.json").read_bytes()


def test_a_signed_order_is_accepted_and_mapped() -> None:
    (event,) = receive(CONNECTION, delivery("orders/create", order_body()), HttpOptions())
    assert event.name == "order_placed"


@pytest.mark.parametrize(
    ("topic", "fixture", "names"),
    [
        ("orders/create", "order_1001.json", ["order_placed"]),
        ("orders/paid", "order_1001.json", ["payment_received"]),
        ("checkouts/create", "checkout_1001.json", ["checkout_started"]),
        ("refunds/create", "refund_1001.json", ["payment_refunded"]),
        ("customers/update", "order_1001.json", []),
    ],
)
def test_each_topic_maps_to_its_event(topic: str, fixture: str, names: list[str]) -> None:
    body = (FIXTURES / fixture).read_bytes()
    answer = receive(CASH_CONNECTION, delivery(topic, body), HttpOptions())
    assert [e.name for e in answer] == names


@pytest.mark.parametrize(
    ("topic", "fixture", "names"),
    [
        ("orders/create", "order_1001.json", ["order_placed"]),
        ("orders/paid", "order_1001.json", []),
        ("checkouts/create", "checkout_1001.json", ["checkout_started"]),
        ("refunds/create", "refund_1001.json", []),
    ],
)
def test_by_default_payments_and_refunds_make_no_cash(
    topic: str, fixture: str, names: list[str]
) -> None:
    body = (FIXTURES / fixture).read_bytes()
    assert [e.name for e in receive(CONNECTION, delivery(topic, body), HttpOptions())] == names


@pytest.mark.parametrize("setting", ["false", "", "yes"])
def test_only_true_switches_cash_on(setting: str) -> None:
    config = {"shop": "touchline-test", "paid_orders_as_cash": setting}
    connection = Connection(
        connection_id="con_3", profile_id="prof_1", provider=Provider.SHOPIFY, config=config,
        secrets={"webhook_secret": SECRET},
    )  # fmt: skip
    assert receive(connection, delivery("orders/paid", order_body()), HttpOptions()) == []


def test_a_redelivery_makes_the_same_event_ids() -> None:
    first = receive(CASH_CONNECTION, delivery("orders/paid", order_body()), HttpOptions())
    again = receive(CASH_CONNECTION, delivery("orders/paid", order_body()), HttpOptions())
    assert len(first) == 1
    assert [e.event_id for e in first] == [e.event_id for e in again]


def test_a_tampered_body_is_refused() -> None:
    body = order_body()
    signed = shopify_signature(SECRET, body)
    tampered = body.replace(b'"199.00"', b'"1.00"')
    with pytest.raises(WebhookRejected, match="does not match"):
        receive(CONNECTION, delivery("orders/paid", tampered, signature=signed), HttpOptions())


@pytest.mark.parametrize("signature", ["", "not-base64", shopify_signature("other", b"{}")])
def test_missing_or_wrong_signatures_are_refused(signature: str) -> None:
    request = delivery("orders/create", order_body(), signature=signature)
    with pytest.raises(WebhookRejected):
        receive(CONNECTION, request, HttpOptions())


def test_a_delivery_for_another_shop_is_refused() -> None:
    with pytest.raises(WebhookRejected, match="another shop"):
        receive(CONNECTION, delivery("orders/create", order_body(), shop="other"), HttpOptions())


def test_a_signed_body_that_is_not_an_order_is_a_payload_error() -> None:
    with pytest.raises(InvalidPayload, match="created_at"):
        receive(CONNECTION, delivery("orders/create", b'{"id": 1}'), HttpOptions())
