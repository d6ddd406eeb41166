"""Shopify mapping over recorded payloads: an order is gross once and (paid orders being cash)
cash once, a refund is negative cash linked to the order's payment, a gross-only connection's
order is gross alone, prices stay exact, campaign data and identity come from the order."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.connectors.shopify import mapping
from touchline.connectors.shopify.client import shop_domain
from touchline.connectors.shopify.payloads import Attribute, Checkout, Order, Refund
from touchline.ingest.protocol import RawEvent

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "shopify"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def order(**changes: Any) -> Order:
    return Order.model_validate({**fixture("order_1001.json"), **changes})


def summary(event: RawEvent) -> tuple[str, float | None, str, str, str]:
    payload = event.payload or {}
    revenue = event.revenue
    return (
        event.name,
        revenue.amount if revenue else None,
        revenue.currency if revenue else "",
        str(payload.get("provider_ref", "")),
        str(payload.get("refund_of", "")),
    )


def test_a_paid_order_is_gross_once_and_cash_once_with_distinct_refs() -> None:
    events = mapping.order_events(order(), cash=True)
    assert [summary(e) for e in events] == [
        ("order_placed", 199.0, "USD", "5940139491234", ""),
        ("payment_received", 199.0, "USD", "shopify_order:5940139491234", ""),
    ]
    assert len({e.event_id for e in events}) == 2


def test_without_cash_a_paid_and_refunded_order_is_only_gross() -> None:
    refunded = order(financial_status="partially_refunded", refunds=[fixture("refund_1001.json")])
    assert [e.name for e in mapping.order_events(refunded, cash=True)] == [
        "order_placed", "payment_received", "payment_refunded",
    ]  # fmt: skip
    events = mapping.order_events(refunded, cash=False)
    assert [summary(e) for e in events] == [("order_placed", 199.0, "USD", "5940139491234", "")]


def test_the_same_order_from_a_webhook_and_the_sync_has_the_same_event_ids() -> None:
    synced = mapping.order_events(order(updated_at="2026-10-20T09:00:00Z"), cash=True)
    from_webhooks = [mapping.order_placed(order()), *mapping.order_paid(order())]
    assert [e.event_id for e in synced] == [e.event_id for e in from_webhooks]


@pytest.mark.parametrize(
    ("status", "outstanding", "cash"),
    [
        ("pending", "199.00", []),
        ("partially_paid", "49.00", [150.0]),
        ("paid", "0.00", [199.0]),
        ("refunded", "0.00", [199.0]),
        ("voided", "0.00", []),
    ],
)
def test_only_collected_money_is_cash(status: str, outstanding: str, cash: list[float]) -> None:
    events = mapping.order_events(
        order(financial_status=status, total_outstanding=outstanding), cash=True
    )
    paid = [e.revenue.amount for e in events if e.name == "payment_received" and e.revenue]
    assert paid == cash


def test_test_orders_make_no_events() -> None:
    assert mapping.order_events(order(test=True), cash=True) == []
    assert mapping.order_paid(order(test=True)) == []


def test_order_identity_prefers_the_orders_own_contact_then_the_customer_then_billing() -> None:
    identity = mapping.order_identity(order())
    assert identity is not None
    assert (identity.email, identity.phone) == ("ana.garcia@example.com", "+1 (415) 555-0134")
    assert (identity.first_name, identity.last_name) == ("Ana", "García")
    assert identity.shopify_customer_id == "7390123456789"


def test_campaign_data_and_the_visitor_come_from_the_landing_page_and_cart_attributes() -> None:
    payload = mapping.order_placed(order()).payload or {}
    assert {k: payload[k] for k in ("utm_source", "utm_medium", "utm_campaign", "fbclid")} == {
        "utm_source": "facebook", "utm_medium": "paid", "utm_campaign": "fall_launch",
        "fbclid": "IwAR2xYz9",
    }  # fmt: skip
    assert payload["anonymous_id"] == "anon-7f3c2a"
    assert payload["items"] == [
        {"product_id": "8266836345064", "variant_id": "44610569208040", "title": "Trail Runner",
         "sku": "TR-42", "quantity": 1, "price": "199.00"},
    ]  # fmt: skip


def test_prices_are_exact_decimals() -> None:
    parsed = order(total_price="0.10", total_outstanding="0.00")
    assert parsed.total_price == Decimal("0.10")
    (paid,) = mapping.order_paid(parsed)
    assert paid.revenue is not None and paid.revenue.amount == 0.1


def test_a_refund_is_negative_cash_for_the_orders_payment() -> None:
    (event,) = mapping.refund_events(Refund.model_validate(fixture("refund_1001.json")))
    assert summary(event) == (
        "payment_refunded", 50.0, "USD", "shopify_refund:930000000001",
        "shopify_order:5940139491234",
    )  # fmt: skip


def test_a_refund_that_moves_no_money_makes_no_event() -> None:
    body = fixture("refund_1001.json")
    body["transactions"] = [{**body["transactions"][0], "status": "failure"}]
    assert mapping.refund_events(Refund.model_validate(body)) == []


def test_a_checkout_is_checkout_started_keyed_by_its_token() -> None:
    event = mapping.checkout_started(Checkout.model_validate(fixture("checkout_1001.json")))
    assert summary(event) == (
        "checkout_started",
        199.0,
        "USD",
        "8f2a6b1c3d4e5f60718293a4b5c61001",
        "",
    )
    assert (event.payload or {})["anonymous_id"] == "anon-7f3c2a"


def test_checkout_attributes_may_arrive_as_an_object() -> None:
    body = {**fixture("checkout_1001.json"), "note_attributes": {"utm_source": "newsletter"}}
    event = mapping.checkout_started(Checkout.model_validate(body))
    assert (event.payload or {})["utm_source"] == "newsletter"


@pytest.mark.parametrize(
    "shop", ["my-store", "my-store.myshopify.com", "https://My-Store.myshopify.com/admin"]
)
def test_shop_domains_are_normalized(shop: str) -> None:
    assert shop_domain(shop) == "my-store.myshopify.com"


values = st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]), min_size=1)


@given(landing=values, attribute=values)
def test_a_cart_attribute_overrides_the_landing_pages_utm(landing: str, attribute: str) -> None:
    found = mapping.campaign_of(
        f"/p?utm_campaign={landing}&utm_source=x",
        [Attribute(name="_utm_campaign", value=attribute)],
    )
    assert found == {"utm_source": "x", "utm_campaign": attribute}


money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)


@given(total=money, outstanding=money)
def test_cash_is_what_was_collected_never_negative(total: Decimal, outstanding: Decimal) -> None:
    events = mapping.order_paid(order(total_price=str(total), total_outstanding=str(outstanding)))
    if total > outstanding:
        assert [e.revenue.amount for e in events if e.revenue] == [float(total - outstanding)]
    else:
        assert events == []
