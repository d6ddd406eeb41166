"""Report filters: `filter[dimension]=operator:value` (CHECKLIST §1.1). Dimensions of
different filters are AND-ed; `contains`/`not_contains` ignore case; channel names are
exact (case-sensitive). Values are bound as parameters, never pasted into SQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from touchline.errors import InvalidParameter

MAX_FILTER_VALUE: Final = 500


class Dimension(StrEnum):
    CHANNEL = "channel"
    REFERRER = "referrer"
    CAMPAIGN = "campaign"
    PAGE = "page"
    ENTRY_PAGE = "entry_page"
    EXIT_PAGE = "exit_page"
    COUNTRY = "country"
    REGION = "region"
    CITY = "city"
    BROWSER = "browser"
    OS = "os"
    DEVICE = "device"
    GOAL = "goal"


class Operator(StrEnum):
    IS = "is"
    IS_NOT = "is_not"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"

    @property
    def negated(self) -> bool:
        return self in (Operator.IS_NOT, Operator.NOT_CONTAINS)


@dataclass(frozen=True, slots=True)
class Filter:
    dimension: Dimension
    operator: Operator
    value: str


def parse_filters(params: Iterable[tuple[str, str]]) -> tuple[Filter, ...]:
    """The `filter[…]` query parameters among `params` (other names are ignored here)."""
    found = []
    for name, raw in params:
        if not name.startswith("filter"):
            continue
        found.append(_filter(name, raw))
    return tuple(found)


def _filter(name: str, raw: str) -> Filter:
    if not (name.startswith("filter[") and name.endswith("]")):
        raise InvalidParameter(f"filters are written filter[dimension]=operator:value, not {name}")
    key = name[len("filter[") : -1]
    try:
        dimension = Dimension(key)
    except ValueError:
        known = ", ".join(d.value for d in Dimension)
        raise InvalidParameter(f"unknown filter dimension {key!r}; known: {known}") from None
    operator_text, sep, value = raw.partition(":")
    if not sep:
        raise InvalidParameter(
            f"{name} must be operator:value (is, is_not, contains, not_contains)"
        )
    try:
        operator = Operator(operator_text)
    except ValueError:
        known = ", ".join(o.value for o in Operator)
        raise InvalidParameter(
            f"unknown filter operator {operator_text!r} in {name}; known: {known}"
        ) from None
    if not value or len(value) > MAX_FILTER_VALUE:
        raise InvalidParameter(f"{name} needs a value of 1 to {MAX_FILTER_VALUE} characters")
    return Filter(dimension, operator, value)
