"""Shopify webhooks: `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with the
webhook secret) checked in constant time, the shop checked against the connection's, then
the topic's object mapped to events (`orders/create`, `orders/paid`, `checkouts/create`,
`refunds/create`; other topics are acknowledged and ignored). `orders/paid` and
`refunds/create` move cash, so they are ignored too unless the connection's paid orders are
cash (`--paid-orders-as-cash`, decision 0821)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any, Final

import orjson
from pydantic import ValidationError

from touchline.connectors.base import Connection, HttpOptions, WebhookRejected, WebhookRequest
from touchline.connectors.shopify import mapping
from touchline.connectors.shopify.client import shop_domain
from touchline.connectors.shopify.payloads import Checkout, Order, Refund
from touchline.errors import InvalidPayload
from touchline.ingest.protocol import RawEvent

HMAC_HEADER: Final = "x-shopify-hmac-sha256"
TOPIC_HEADER: Final = "x-shopify-topic"
SHOP_HEADER: Final = "x-shopify-shop-domain"


def _order_created(body: Any) -> list[RawEvent]:
    order = Order.model_validate(body)
    return [] if order.test else [mapping.order_placed(order)]


def _order_paid(body: Any) -> list[RawEvent]:
    return mapping.order_paid(Order.model_validate(body))


def _checkout_created(body: Any) -> list[RawEvent]:
    return [mapping.checkout_started(Checkout.model_validate(body))]


def _refund_created(body: Any) -> list[RawEvent]:
    return mapping.refund_events(Refund.model_validate(body))


TOPICS: Final[Mapping[str, Callable[[Any], list[RawEvent]]]] = {
    "orders/create": _order_created,
    "orders/paid": _order_paid,
    "checkouts/create": _checkout_created,
    "refunds/create": _refund_created,
}
# Topics that make (negative) cash: mapped only on a connection with the switch on.
CASH_TOPICS: Final = frozenset({"orders/paid", "refunds/create"})


def receive(connection: Connection, request: WebhookRequest, http: HttpOptions) -> list[RawEvent]:
    """Verify, then map. A redelivery (same `X-Shopify-Webhook-Id`) or another delivery of
    the same order makes the same event ids: the loader stores it once."""
    del http  # the body is the whole object: nothing to fetch
    verify(connection, request)
    topic = request.headers.get(TOPIC_HEADER, "").strip().lower()
    handler = TOPICS.get(topic)
    if handler is None:
        return []
    if topic in CASH_TOPICS and not connection.switch(mapping.PAID_ORDERS_AS_CASH):
        return []  # acknowledged: gross-only connection
    try:
        return handler(orjson.loads(request.body))
    except (orjson.JSONDecodeError, ValidationError) as error:
        # Signed, so Shopify's: answering 400 makes it retry once we read it again.
        raise InvalidPayload(f"unreadable Shopify {topic} body: {_first_error(error)}") from None


def verify(connection: Connection, request: WebhookRequest) -> None:
    secret = connection.secrets.get("webhook_secret", "")
    given = request.headers.get(HMAC_HEADER, "").strip()
    if not secret or not given:
        raise WebhookRejected("missing X-Shopify-Hmac-Sha256 signature or webhook secret")
    if not hmac.compare_digest(signature(secret, request.body), given.encode()):
        raise WebhookRejected("the X-Shopify-Hmac-Sha256 signature does not match")
    shop = request.headers.get(SHOP_HEADER, "")
    expected = connection.config.get("shop", "")
    if shop and expected and shop_domain(shop) != shop_domain(expected):
        raise WebhookRejected("the webhook is for another shop")


def signature(secret: str, body: bytes) -> bytes:
    """Shopify's signature of a body: base64 of its HMAC-SHA256 with the secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError) and error.errors():
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error)[:200]
