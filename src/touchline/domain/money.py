"""Money: Decimal amounts stored with 4 places, shown to the cent, converted at a daily rate."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final

STORED: Final = Decimal("0.0001")
CENTS: Final = Decimal("0.01")


def stored(value: Decimal | float | str) -> Decimal:
    return Decimal(str(value)).quantize(STORED, rounding=ROUND_HALF_EVEN)


def cents(value: Decimal | float | str) -> Decimal:
    return Decimal(str(value)).quantize(CENTS, rounding=ROUND_HALF_EVEN)


def convert(value: Decimal, rate: float) -> Decimal:
    """`value` times `rate` (reporting units per unit), kept to 4 places."""
    return stored(value * Decimal(repr(rate)))
