"""Demo Shopify orders: the clinic's online shop sells at-home whitening kits. Some buyers are
visitors who left their email on the site (the storefront passes our visitor id as a cart
attribute), others arrive straight from an email. Rendered as Shopify order webhooks."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from touchline.demo.traffic import TrafficPlan
from touchline.ingest.protocol import RawEvent

SHOP_DOMAIN: Final = "democlinic-shop.myshopify.com"
BUYING_SHARE: Final = 0.08  # identified visitors who also buy a kit
PRODUCTS: Final = (("Whitening kit", "899.00"), ("Whitening kit + refills", "1499.00"))
SHOP_ZONE: Final = ZoneInfo("America/Mexico_City")


def orders(plan: TrafficPlan, identified: Iterable[RawEvent]) -> Iterator[dict[str, Any]]:
    """One order (as `orders/create` and `orders/paid` carry it) per buying visitor."""
    end_ms = int(plan.end.timestamp() * 1000)
    for number, event in enumerate(identified, 1001):
        identity = event.identity
        if identity is None or not identity.email:
            continue
        rng = random.Random(f"{plan.seed}/shop/{event.event_id}")
        if rng.random() >= BUYING_SHARE:
            continue
        assert isinstance(event.timestamp, int)
        at_ms = event.timestamp + rng.randrange(600, 5 * 86_400) * 1000
        if at_ms <= end_ms:
            yield _order(rng, number, at_ms, event, identity.email)


def _order(
    rng: random.Random, number: int, at_ms: int, event: RawEvent, email: str
) -> dict[str, Any]:
    title, price = rng.choice(PRODUCTS)
    created = datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(SHOP_ZONE).isoformat()
    order_id = 5_100_000_000_000 + rng.randrange(10**9)
    identity = event.identity
    assert identity is not None
    customer = {
        "id": 7_200_000_000_000 + rng.randrange(10**9), "email": email,
        "first_name": identity.first_name, "last_name": identity.last_name,
        "phone": identity.phone, "verified_email": True,
    }  # fmt: skip
    return {
        "id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{number}", "order_number": number, "email": email,
        "created_at": created, "processed_at": created, "currency": "MXN",
        "presentment_currency": "MXN", "total_price": price, "subtotal_price": price,
        "total_tax": "0.00", "financial_status": "paid",
        "checkout_token": f"{rng.getrandbits(128):032x}",
        "landing_site": "/products/whitening-kit?utm_source=newsletter&utm_medium=email"
        "&utm_campaign=whitening_offer",
        "referring_site": "",
        "note_attributes": [{"name": "atribu_anonymous_id", "value": event.anonymous_id}],
        "customer": customer,
        "line_items": [{"id": order_id + 1, "title": title, "quantity": 1, "price": price,
                        "sku": "WK-1"}],
    }  # fmt: skip
