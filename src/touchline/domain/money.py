"""Money: Decimal amounts stored with 4 places, shown to the cent, converted at a daily rate.

Rounding is half-even everywhere (no drift when many amounts are summed); never float sums.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Final

STORED: Final = Decimal("0.0001")
CENTS: Final = Decimal("0.01")
LIMIT: Final = Decimal("1e14")  # DECIMAL(18, 4) holds 14 digits before the point


def amount(value: Decimal | float | str) -> Decimal:
    """`value` as an exact Decimal (floats by their shortest repr); ValueError if not finite."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"{value!r} is not an amount") from error
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite amount")
    return number


def stored(value: Decimal | float | str) -> Decimal:
    """The amount as the event plane stores it: 4 places; ValueError if it cannot fit."""
    number = amount(value).quantize(STORED, rounding=ROUND_HALF_EVEN)
    if abs(number) >= LIMIT:
        raise ValueError(f"{value!r} is too large an amount")
    return number


def cents(value: Decimal | float | str) -> Decimal:
    """The amount as people read it: to the cent."""
    return amount(value).quantize(CENTS, rounding=ROUND_HALF_EVEN)


def convert(value: Decimal, rate: float) -> Decimal:
    """`value` times `rate` (target units per unit of `value`'s currency), kept to 4 places."""
    if not rate > 0:
        raise ValueError(f"an exchange rate is positive, not {rate!r}")
    return stored(amount(value) * amount(rate))
