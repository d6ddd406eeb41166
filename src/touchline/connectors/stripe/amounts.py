"""Stripe amounts: integers in the currency's minor unit, turned into major units by the
currency's exponent as Stripe defines it (https://docs.stripe.com/currencies)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

ZERO_DECIMAL: Final = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()  # noqa: SIM905
)
"""¥500 is `500`. (ISK, HUF and TWD stay two-decimal in Stripe's API: `100` is 1 unit.)"""
THREE_DECIMAL: Final = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def major(minor: Any, currency: str) -> Decimal:
    """`minor` (an integer, or its digits as a string) in major units of `currency`; ValueError
    for anything else (a float, a negative amount, text)."""
    if isinstance(minor, bool) or not isinstance(minor, int | str):
        raise ValueError(f"a Stripe amount is an integer, not {minor!r}")
    text = str(minor).strip()
    if not text.isdigit():
        raise ValueError(f"a Stripe amount is a non-negative integer, not {minor!r}")
    return Decimal(int(text)).scaleb(-exponent(currency))
