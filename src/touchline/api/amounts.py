"""Money at the edge: exact `Decimal` cents inside, JSON numbers in answers (the spec's
examples show `1800.00` as a number, never a string)."""

from __future__ import annotations

from decimal import Decimal


def amount(value: Decimal) -> float:
    """Cents as a JSON number (a float holds every cent amount below 2^53 exactly enough to
    print back the same two places)."""
    return float(value)


def optional_amount(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
