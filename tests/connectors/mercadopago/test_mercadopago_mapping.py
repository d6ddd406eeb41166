"""MercadoPago payments → facts, over recorded API answers: approved is cash, refunds net out
once each by id, a chargeback takes back what refunds left, pending is nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from tests.connectors.mercadopago.signing import fixture

from touchline.connectors.mercadopago.mapping import amount, payment_facts, payment_metadata
from touchline.connectors.payments import PaymentKind

SOURCE = {"source_event": "test"}


def facts(name: str, **changes: Any) -> list[tuple[Any, ...]]:
    payment = fixture(f"api/{name}.json") | changes
    return [(f.kind, f.ref, f.amount, f.currency, f.refund_of)
            for f in payment_facts(payment, details=SOURCE)]  # fmt: skip


def test_an_approved_payment_is_cash_in_its_own_currency_with_the_payers_identity() -> None:
    [fact] = payment_facts(fixture("api/payment.approved.brl.json"), details=SOURCE)
    assert (fact.kind, fact.ref, fact.amount, fact.currency) == (
        PaymentKind.RECEIVED, "1319862441", Decimal("150.5"), "BRL",
    )  # fmt: skip
    assert fact.at == datetime(2026, 10, 1, 13, 0, 2, tzinfo=UTC)
    assert fact.identity == {
        "mercadopago_payer_id": "1274384567", "email": "Joao.Silva@Example.com.br",
        "phone": "11987654321", "first_name": "João", "last_name": "Silva",
    }  # fmt: skip
    assert fact.metadata["campaign_id"] == "120210000000001"
    assert fact.details["external_reference"] == "pedido-1042"


def test_approved_refunds_net_out_once_each_and_rejected_ones_not_at_all() -> None:
    assert facts("payment.partially_refunded.brl") == [
        (PaymentKind.RECEIVED, "1319862441", Decimal("150.5"), "BRL", ""),
        (PaymentKind.REFUNDED, "1457093215", Decimal("50.0"), "BRL", "1319862441"),
    ]


def test_a_chargeback_takes_back_what_the_refunds_left() -> None:
    assert facts("payment.charged_back.brl") == [
        (PaymentKind.RECEIVED, "1319862441", Decimal("150.5"), "BRL", ""),
        (PaymentKind.REFUNDED, "1457093215", Decimal("50.0"), "BRL", "1319862441"),
        (PaymentKind.CHARGEBACK, "1319862441:chargeback", Decimal("100.5"), "BRL", "1319862441"),
    ]


def test_a_refunded_payment_that_lists_no_refund_is_refunded_whole() -> None:
    assert facts("payment.approved.brl", status="refunded", transaction_amount_refunded=150.5) == [
        (PaymentKind.RECEIVED, "1319862441", Decimal("150.5"), "BRL", ""),
        (PaymentKind.REFUNDED, "1319862441:refunded", Decimal("150.5"), "BRL", "1319862441"),
    ]


@pytest.mark.parametrize("status", ["pending", "in_process", "authorized", "rejected", "cancelled"])
def test_a_payment_that_was_never_approved_is_nothing(status: str) -> None:
    assert facts("payment.pending", status=status) == []


def test_each_fact_has_a_stable_key() -> None:
    payment = fixture("api/payment.charged_back.brl.json")
    keys = [f.key for f in payment_facts(payment, details=SOURCE)]
    assert keys == [("payment", "1319862441"), ("refund", "1457093215"),
                    ("chargeback", "1319862441")]  # fmt: skip
    assert keys == [f.key for f in payment_facts(payment, details={"source_event": "sync"})]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("pedido-1042", {}),
        ("utm_source=google&campaign_id=77", {"utm_source": "google", "campaign_id": "77"}),
        ('{"atribu_customer_profile_id": "cus_9", "ad_id": 5}',
         {"atribu_customer_profile_id": "cus_9", "ad_id": "5"}),
        ("{not json", {}),
    ],
)  # fmt: skip
def test_the_external_reference_may_carry_bindings(
    reference: str, expected: dict[str, str]
) -> None:
    payment = fixture("api/payment.pending.json") | {"external_reference": reference}
    assert payment_metadata(payment) == expected


def test_metadata_wins_over_the_external_reference() -> None:
    payment = fixture("api/payment.pending.json") | {
        "external_reference": "utm_source=google", "metadata": {"utm_source": "facebook"},
    }  # fmt: skip
    assert payment_metadata(payment) == {"utm_source": "facebook"}


@pytest.mark.parametrize(("raw", "value"), [(150.5, "150.5"), ("150.50", "150.50"), (0, "0")])
def test_amounts_as_numbers_or_strings_are_exact(raw: Any, value: str) -> None:
    assert amount(raw) == Decimal(value)


@pytest.mark.parametrize("bad", [None, True, "abc", -1, "NaN"])
def test_an_amount_that_is_no_number_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="amount"):
        amount(bad)
