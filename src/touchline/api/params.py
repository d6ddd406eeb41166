"""Query parameters every endpoint reads the same way: the period (inclusive local days,
at most 366), `model`, `limit` with per-endpoint defaults and maxima, `offset`, `filter[…]`."""

from __future__ import annotations

from datetime import date
from typing import Final

from fastapi import Request

from touchline.analytics.attribution import parse_model
from touchline.analytics.filters import Filter, parse_filters
from touchline.analytics.query import Period, parse_whole_number
from touchline.domain.attribution.settings import Model
from touchline.errors import InvalidDateRange
from touchline.ingest.context import ProfileContext

MAX_PERIOD_DAYS: Final = 366  # inclusive days (CHECKLIST §1.1)


def period(date_from: str | None, date_to: str | None, profile: ProfileContext) -> Period:
    """`date_from`..`date_to` in the profile's timezone; missing, malformed, reversed or longer
    than 366 days → `invalid_date_range`."""
    start, end = _day(date_from, "date_from"), _day(date_to, "date_to")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidDateRange(f"a period may span at most {MAX_PERIOD_DAYS} days")
    return Period(start, end, profile.timezone)


def _day(text: str | None, name: str) -> date:
    if not text:
        raise InvalidDateRange(f"{name} is required (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidDateRange(f"{name} must be a date as YYYY-MM-DD, got {text!r}") from None


def limit(value: str | None, *, default: int, maximum: int) -> int:
    """A `limit` parameter: 1..maximum (absent → default)."""
    return parse_whole_number(value, name="limit", default=default, minimum=1, maximum=maximum)


def offset(value: str | None) -> int:
    """An `offset` parameter: 0 or more (absent → 0)."""
    return parse_whole_number(value, name="offset", default=0, minimum=0)


def model(value: str | None) -> Model:
    return parse_model(value)


def filters(request: Request) -> tuple[Filter, ...]:
    return parse_filters(request.query_params.multi_items())
