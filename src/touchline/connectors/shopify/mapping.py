"""Shopify objects → server events (pure): an order is `order_placed` (gross) once and, when
paid on a connection whose paid orders are cash, `payment_received` (cash) once; a refund is
then `payment_refunded`; a checkout is `checkout_started`. See docs/connectors/shopify.md and
decision 0821."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

from touchline.connectors.events import server_event
from touchline.connectors.shopify.payloads import (
    Address,
    Attribute,
    Checkout,
    Customer,
    LineItem,
    Order,
    Refund,
)
from touchline.domain.channels import CLICK_ID_PRECEDENCE
from touchline.domain.urls import query_params
from touchline.ingest.protocol import Identity, RawEvent

PROVIDER: Final = "shopify"
UTM_FIELDS: Final = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
CLICK_IDS: Final = tuple(click.value for click in CLICK_ID_PRECEDENCE)
CAMPAIGN_FIELDS: Final = frozenset(UTM_FIELDS + CLICK_IDS)
# The cart attribute our storefront snippet sets to the tracker's anonymous id (a leading "_"
# hides an attribute from the customer in Shopify, so both spellings are read).
ANONYMOUS_ID_ATTRIBUTE: Final = "atribu_anonymous_id"
# The connection switch that makes paid orders cash and refunds negative cash; off (the
# default, CHECKLIST §9 #32) an order is gross only and ROAS comes from the payment providers.
PAID_ORDERS_AS_CASH: Final = "paid_orders_as_cash"
PAID_STATUSES: Final = frozenset({"paid", "partially_paid", "partially_refunded", "refunded"})
MAX_ITEMS: Final = 50
MAX_TEXT: Final = 500


def payment_ref(order_id: str) -> str:
    """The cash ref of an order: namespaced, because MercadoPago's payment ids are numbers too
    and `payment_received` refs of every provider share one goal."""
    return f"shopify_order:{order_id}"


def order_events(order: Order, *, cash: bool) -> list[RawEvent]:
    """Everything an order from the Admin API says: placed and, with `cash` (the connection's
    paid orders are cash), paid (if it was) and its refunds. The ids equal the webhooks' ones,
    so an order seen both ways is stored once."""
    if order.test:
        return []
    events = [order_placed(order)]
    if not cash:
        return events
    if (order.financial_status or "") in PAID_STATUSES:
        events += order_paid(order)
    for refund in order.refunds:
        events += refund_events(refund, currency=order.currency)
    return events


def order_placed(order: Order) -> RawEvent:
    return server_event(
        provider=PROVIDER, key=("order_placed", order.id), name="order_placed",
        at=order.created_at, identity=order_identity(order), amount=order.total_price,
        currency=order.currency, payload=_order_payload(order, ref=order.id, items=True),
    )  # fmt: skip


def order_paid(order: Order) -> list[RawEvent]:
    """Cash: what was collected (the total less what is still outstanding); [] for nothing."""
    paid = order.total_price - max(order.total_outstanding or Decimal(0), Decimal(0))
    if paid <= 0 or order.test:
        return []
    event = server_event(
        provider=PROVIDER, key=("payment_received", order.id), name="payment_received",
        at=order.processed_at or order.created_at, identity=order_identity(order),
        amount=paid, currency=order.currency,
        payload=_order_payload(order, ref=payment_ref(order.id), items=False),
    )  # fmt: skip
    return [event]


def refund_events(refund: Refund, *, currency: str = "") -> list[RawEvent]:
    """Negative cash for the refund's successful refund transactions; [] for none (a refund
    that only restocks items moves no money)."""
    money = [
        t for t in refund.transactions
        if t.kind == "refund" and t.status == "success" and not t.test
    ]  # fmt: skip
    amount = sum((t.amount for t in money), Decimal(0))
    if amount <= 0:
        return []
    event = server_event(
        provider=PROVIDER, key=("payment_refunded", refund.id), name="payment_refunded",
        at=refund.processed_at or refund.created_at, amount=amount,
        currency=money[0].currency or currency,
        payload={"provider_ref": f"shopify_refund:{refund.id}",
                 "refund_of": payment_ref(refund.order_id), "order_id": refund.order_id},
    )  # fmt: skip
    return [event]


def checkout_started(checkout: Checkout) -> RawEvent:
    payload = {
        "provider_ref": checkout.token,
        "checkout_token": checkout.token,
        "cart_token": checkout.cart_token,
        "presentment_currency": checkout.presentment_currency,
        **_visit(checkout.landing_site, checkout.referring_site, checkout.note_attributes),
        "items": _items(checkout.line_items),
    }
    return server_event(
        provider=PROVIDER, key=("checkout_started", checkout.token), name="checkout_started",
        at=checkout.created_at, amount=checkout.total_price, currency=checkout.currency,
        identity=identity_of(email=checkout.email, phone=checkout.phone,
                             customer=checkout.customer, address=checkout.billing_address),
        payload=_present(payload),
    )  # fmt: skip


def order_identity(order: Order) -> Identity | None:
    return identity_of(
        email=order.email or order.contact_email, phone=order.phone,
        customer=order.customer, address=order.billing_address,
    )  # fmt: skip


def identity_of(
    *, email: str | None, phone: str | None, customer: Customer | None, address: Address | None
) -> Identity | None:
    """Who bought: the order's own email and phone first, then the customer's, then the
    billing address's; names from the customer, else the billing address."""
    person = customer or Customer()
    billing = address or Address()
    values = {
        "email": email or person.email,
        "phone": phone or person.phone or billing.phone,
        "first_name": person.first_name or billing.first_name,
        "last_name": person.last_name or billing.last_name,
        "shopify_customer_id": person.id,
    }
    present = {key: value.strip() for key, value in values.items() if value and value.strip()}
    return Identity(**present) if present else None


def campaign_of(landing_site: str | None, attributes: Iterable[Attribute]) -> dict[str, str]:
    """UTMs and click ids from the landing page's query, overridden by cart attributes of the
    same names (the storefront passes what it saw at the visit)."""
    query = (landing_site or "").partition("?")[2].partition("#")[0]
    found = query_params(query, CAMPAIGN_FIELDS)
    for attribute in attributes:
        name = attribute.name.strip().lower().lstrip("_")
        if name in CAMPAIGN_FIELDS and attribute.value and attribute.value.strip():
            found[name] = attribute.value.strip()
    return {name: found[name][:MAX_TEXT] for name in (*UTM_FIELDS, *CLICK_IDS) if found.get(name)}


def anonymous_id_of(attributes: Iterable[Attribute]) -> str:
    for attribute in attributes:
        if attribute.name.strip().lower().lstrip("_") == ANONYMOUS_ID_ATTRIBUTE:
            return (attribute.value or "").strip()
    return ""


def _order_payload(order: Order, *, ref: str, items: bool) -> dict[str, Any]:
    payload = {
        "provider_ref": ref,
        "order_id": order.id,
        "order_name": order.name,
        "checkout_token": order.checkout_token,
        "cart_token": order.cart_token,
        "financial_status": order.financial_status,
        "presentment_currency": order.presentment_currency,
        "source_name": order.source_name,
        **_visit(order.landing_site, order.referring_site, order.note_attributes),
        "items": _items(order.line_items) if items else None,
    }
    return _present(payload)


def _visit(
    landing_site: str | None, referring_site: str | None, attributes: list[Attribute]
) -> dict[str, Any]:
    return {
        "landing_site": (landing_site or "")[:MAX_TEXT],
        "referring_site": (referring_site or "")[:MAX_TEXT],
        "anonymous_id": anonymous_id_of(attributes),
        **campaign_of(landing_site, attributes),
    }


def _items(items: list[LineItem]) -> list[dict[str, Any]]:
    """The products, kept small: an order's full JSON can break the payload key limit."""
    return [
        _present({"product_id": i.product_id, "variant_id": i.variant_id, "title": i.title,
                  "sku": i.sku, "quantity": i.quantity,
                  "price": str(i.price) if i.price is not None else None})
        for i in items[:MAX_ITEMS]
    ]  # fmt: skip


def _present(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if value not in (None, "", [])}
