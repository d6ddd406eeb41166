"""Stripe objects → payment facts, over recorded events: one payment, three events, one ref;
refunds once each by id; disputes as chargebacks; minor units by currency exponent; email
precedence receipt → billing details → customer."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.connectors.stripe.signing import event

from touchline.connectors.payments import PaymentKind
from touchline.connectors.stripe import amounts, mapping

OCT_1 = datetime(2026, 10, 1, 12, tzinfo=UTC)
ANA = {
    "email": "Ana.Lopez@Example.com",
    "phone": "+52 55 1234 5678",
    "name": "Ana López",
    "stripe_customer_id": "cus_QaAna001",
}


@pytest.mark.parametrize(
    ("name", "key", "source"),
    [
        ("charge.succeeded", ("charge", "ch_3QaLink001"), "charge.succeeded"),
        ("payment_intent.succeeded", ("payment_intent", "pi_3QaLink001"),
         "payment_intent.succeeded"),
        ("checkout.session.completed", ("checkout_session", "cs_live_a1QaLink001"),
         "checkout.session.completed"),
    ],
)  # fmt: skip
def test_each_event_of_one_payment_names_the_payment_intent_as_its_ref(
    name: str, key: tuple[str, str], source: str
) -> None:
    [fact] = mapping.event_facts(event(name))
    assert fact.kind is PaymentKind.RECEIVED
    assert (fact.ref, fact.amount, fact.currency, fact.key) == (
        "pi_3QaLink001", Decimal("49.99"), "USD", key,
    )  # fmt: skip
    assert fact.details["source_event"] == source
    assert fact.identity["stripe_customer_id"] == "cus_QaAna001"


def test_the_charge_carries_billing_identity_and_the_checkout_the_payment_link_metadata() -> None:
    [charge] = mapping.event_facts(event("charge.succeeded"))
    assert charge.identity == ANA
    assert charge.at == OCT_1 and charge.metadata == {}
    [checkout] = mapping.event_facts(event("checkout.session.completed"))
    assert checkout.identity["email"] == "ana.lopez@example.com"
    assert checkout.metadata["campaign_id"] == "120210000000001"
    assert checkout.details["payment_link"] == "plink_1QaLink001"


def test_a_charge_without_a_payment_intent_is_its_own_ref() -> None:
    body = event("charge.succeeded")
    body["data"]["object"]["payment_intent"] = None
    [fact] = mapping.event_facts(body)
    assert fact.ref == "ch_3QaLink001"


@pytest.mark.parametrize(
    ("receipt", "billing", "customer", "expected"),
    [
        ("r@example.com", "b@example.com", {"id": "cus_1", "email": "c@example.com"},
         "r@example.com"),
        (None, "b@example.com", {"id": "cus_1", "email": "c@example.com"}, "b@example.com"),
        (None, None, {"id": "cus_1", "email": "c@example.com"}, "c@example.com"),
        (None, "", "cus_1", ""),  # a bare customer id names no email
    ],
)  # fmt: skip
def test_email_precedence_is_receipt_then_billing_details_then_customer(
    receipt: str | None, billing: str | None, customer: Any, expected: str
) -> None:
    body = event("charge.succeeded")
    charge = body["data"]["object"]
    charge["receipt_email"], charge["billing_details"]["email"] = receipt, billing
    charge["customer"] = customer
    [fact] = mapping.event_facts(body)
    assert fact.identity["email"] == expected
    assert fact.identity["stripe_customer_id"] == "cus_1"


@pytest.mark.parametrize(
    ("currency", "minor", "major"),
    [("usd", 4999, "49.99"), ("jpy", 4999, "4999"), ("clp", 25000, "25000"),
     ("kwd", 12345, "12.345"), ("mxn", 150000, "1500.00"), ("isk", 500, "5.00")],
)  # fmt: skip
def test_minor_units_become_major_by_the_currency_exponent(
    currency: str, minor: int, major: str
) -> None:
    body = event("charge.succeeded")
    body["data"]["object"].update(currency=currency, amount=minor, amount_captured=minor)
    [fact] = mapping.event_facts(body)
    assert (fact.amount, fact.currency) == (Decimal(major), currency.upper())


@given(
    minor=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(["USD", "JPY", "CLP", "KWD", "BHD", "MXN", "BRL", "EUR", "ISK"]),
)
def test_major_units_times_the_exponent_give_back_the_minor_amount(
    minor: int, currency: str
) -> None:
    value = amounts.major(minor, currency)
    assert value * 10 ** amounts.exponent(currency) == minor
    assert amounts.major(str(minor), currency.lower()) == value


@pytest.mark.parametrize("bad", [49.99, -5, "12a", None, True])
def test_an_amount_that_is_not_a_non_negative_integer_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="Stripe amount"):
        amounts.major(bad, "usd")


def test_an_authorization_that_is_not_captured_is_no_payment() -> None:
    body = event("charge.succeeded")
    body["data"]["object"].update(captured=False, amount_captured=0)
    assert mapping.event_facts(body) == []
    body["type"] = "charge.captured"
    body["data"]["object"].update(captured=True, amount_captured=3000)
    [fact] = mapping.event_facts(body)
    assert fact.amount == Decimal("30.00")  # a partial capture counts what was captured


def test_a_checkout_without_a_paid_payment_intent_binds_without_money() -> None:
    subscription = event("checkout.session.completed")
    subscription["data"]["object"].update(mode="subscription", payment_intent=None,
                                          subscription="sub_1", invoice="in_1")  # fmt: skip
    [fact] = mapping.event_facts(subscription)
    assert (fact.kind, fact.amount, fact.ref) == (PaymentKind.CHECKOUT, None, "cs_live_a1QaLink001")
    assert fact.metadata["utm_source"] == "facebook"
    pending = event("checkout.session.completed")
    pending["data"]["object"]["payment_status"] = "unpaid"  # an OXXO or boleto voucher
    assert [f.kind for f in mapping.event_facts(pending)] == [PaymentKind.CHECKOUT]
    pending["type"] = "checkout.session.async_payment_succeeded"
    pending["data"]["object"]["payment_status"] = "paid"
    assert [f.kind for f in mapping.event_facts(pending)] == [PaymentKind.RECEIVED]


def test_listed_refunds_count_once_each_by_id_and_failed_ones_not_at_all() -> None:
    facts = mapping.event_facts(event("charge.refunded"))
    assert [(f.kind, f.key, f.ref, f.amount, f.refund_of) for f in facts] == [
        (PaymentKind.REFUNDED, ("refund", "re_3QaLink001B"), "re_3QaLink001B", Decimal("5.00"),
         "pi_3QaLink001"),
        (PaymentKind.REFUNDED, ("refund", "re_3QaLink001A"), "re_3QaLink001A", Decimal("15.00"),
         "pi_3QaLink001"),
    ]  # fmt: skip
    assert facts[1].at == datetime(2026, 10, 3, 12, tzinfo=UTC)  # the refund's own time
    assert facts[0].identity == ANA


def test_unlisted_refunds_count_the_amount_refunded_since_the_previous_state() -> None:
    [fact] = mapping.event_facts(event("charge.refunded.unlisted"))
    assert (fact.amount, fact.refund_of) == (Decimal("5.00"), "pi_3QaLink001")
    assert fact.key == ("refunded", "ch_3QaLink001", "2000")
    first = event("charge.refunded.unlisted")
    first["data"]["object"]["amount_refunded"] = 1500
    first["data"]["previous_attributes"]["amount_refunded"] = 0
    [earlier] = mapping.event_facts(first)
    assert (earlier.amount, earlier.ref) == (Decimal("15.00"), "ch_3QaLink001:refunded:1500")


def test_a_dispute_is_a_chargeback_of_its_payment_once_whichever_event_comes() -> None:
    created = mapping.event_facts(event("charge.dispute.created"))
    withdrawn = event("charge.dispute.created")
    withdrawn["type"] = "charge.dispute.funds_withdrawn"
    assert [(f.kind, f.key, f.amount, f.refund_of) for f in created] == [
        (PaymentKind.CHARGEBACK, ("dispute", "dp_1QaDispute001"), Decimal("29.99"),
         "pi_3QaLink001")
    ]  # fmt: skip
    assert [f.key for f in mapping.event_facts(withdrawn)] == [created[0].key]


def test_event_types_that_move_no_money_map_to_nothing() -> None:
    assert mapping.event_facts(event("customer.updated")) == []
    assert mapping.event_facts({"id": "evt_1", "type": "charge.succeeded", "data": {}}) == []
