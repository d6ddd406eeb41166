"""Conversion counts of a period, by goal (the API's `event_type`) and revenue type, in total
and per local day. Every conversion counts, attributed or not; refunds and chargebacks are not
conversions (they reduce cash, see revenue.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from touchline.analytics.attribution import money, period_params
from touchline.analytics.query import Period, bound_sql
from touchline.store.base import EventStore, Sql

CONVERSIONS_IN_PERIOD: Final = (
    "profile_id = $profile AND ts >= $start AND ts < $end AND refund_of = ''"
)


@dataclass(frozen=True, slots=True)
class ConversionCount:
    event_type: str  # the goal key: payment_received, lead_created, … or a custom goal's
    revenue_type: str
    count: int
    value: Decimal  # normalized value of those conversions, of their own revenue type
    unconverted: int  # of them, valued in a currency without a rate (not in `value`)


@dataclass(frozen=True, slots=True)
class DailyConversionCount:
    day: date
    event_type: str
    count: int


def conversion_counts_sql(profile_id: str, period: Period) -> Sql:
    return bound_sql(
        f"""SELECT goal_key, revenue_type, count(*), sum(reporting_value),
  sum(CASE WHEN reporting_value IS NULL AND value IS NOT NULL THEN 1 ELSE 0 END)
FROM conversions WHERE {CONVERSIONS_IN_PERIOD}
GROUP BY goal_key, revenue_type""",
        period_params(profile_id, period),
    )


def conversion_counts(
    store: EventStore, *, profile_id: str, period: Period
) -> list[ConversionCount]:
    """Most frequent first (then by key), like the spec's example."""
    rows = [
        ConversionCount(str(goal), str(kind), int(n), money(value), int(missing or 0))
        for goal, kind, n, value, missing in store.query(conversion_counts_sql(profile_id, period))
    ]
    return sorted(rows, key=lambda r: (-r.count, r.event_type, r.revenue_type))


def conversions_by_day_sql(profile_id: str, period: Period) -> Sql:
    day, tz = period.local_day_sql("epoch_us(ts)")
    return bound_sql(
        f"""SELECT {day} AS d, goal_key, count(*) FROM conversions
WHERE {CONVERSIONS_IN_PERIOD}
GROUP BY d, goal_key""",
        {**period_params(profile_id, period), **tz},
    )


def conversions_by_day(
    store: EventStore, *, profile_id: str, period: Period
) -> list[DailyConversionCount]:
    """Only the (day, goal) pairs that had conversions; by day, then most frequent first."""
    rows = [
        DailyConversionCount(period.date_from + timedelta(days=int(d)), str(goal), int(n))
        for d, goal, n in store.query(conversions_by_day_sql(profile_id, period))
    ]
    return sorted(rows, key=lambda r: (r.day, -r.count, r.event_type))
