"""Money: 4 stored places, cents for people, half-even rounding, exact conversion."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.money import amount, cents, convert, stored

amounts = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, places=6
)
rates = st.floats(min_value=1e-6, max_value=1e4, allow_nan=False, allow_infinity=False)


def test_floats_are_read_by_their_shortest_repr_not_their_binary_value() -> None:
    assert stored(0.1) == Decimal("0.1000")
    assert stored(1800.35) == Decimal("1800.3500")
    assert amount("12.5") == Decimal("12.5")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("0.125", "0.12"), ("0.135", "0.14"), ("-0.125", "-0.12"), ("2.5050", "2.50")],
)
def test_cents_round_half_to_even(raw: str, shown: str) -> None:
    assert cents(raw) == Decimal(shown)


def test_conversion_multiplies_by_the_rate_and_keeps_four_places() -> None:
    # 1,800 MXN at 0.0576406648 USD per MXN.
    assert convert(Decimal("1800"), 0.0576406648) == Decimal("103.7532")
    assert convert(Decimal("-900"), 0.0576406648) == Decimal("-51.8766")


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-inf", "abc", float("nan")])
def test_non_finite_or_non_numeric_amounts_are_refused(bad: str | float) -> None:
    with pytest.raises(ValueError, match="amount"):
        stored(bad)


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan"), float("inf")])
def test_an_exchange_rate_must_be_a_positive_number(rate: float) -> None:
    with pytest.raises(ValueError, match=r"rate|amount"):
        convert(Decimal("10"), rate)


def test_amounts_too_large_for_the_stored_decimal_are_refused() -> None:
    assert stored("99999999999999.9999") == Decimal("99999999999999.9999")
    with pytest.raises(ValueError, match="too large"):
        stored("100000000000000")


@given(amounts)
def test_stored_amounts_have_four_places_and_are_stable(value: Decimal) -> None:
    once = stored(value)
    assert once.as_tuple().exponent == -4
    assert stored(once) == once
    assert abs(once - value) <= Decimal("0.00005")


@given(amounts)
def test_cents_are_two_places_within_half_a_cent(value: Decimal) -> None:
    shown = cents(value)
    assert shown.as_tuple().exponent == -2
    assert abs(shown - value) <= Decimal("0.005")


@given(amounts)
def test_a_rate_of_one_changes_nothing(value: Decimal) -> None:
    assert convert(value, 1.0) == stored(value)


@given(amounts, rates)
def test_a_refund_converts_to_exactly_minus_its_payment(value: Decimal, rate: float) -> None:
    assert convert(-value, rate) == -convert(value, rate)


@given(amounts, rates, rates)
def test_a_higher_rate_never_gives_less_for_a_positive_amount(
    value: Decimal, low: float, high: float
) -> None:
    low, high = sorted((low, high))
    assert convert(abs(value), low) <= convert(abs(value), high)
