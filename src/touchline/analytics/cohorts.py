"""Customer cohorts: by when customers were created (week, month) or by their first touch's
campaign or source, with conversions and LTV; and LTV cohorts by month of first payment,
cumulative over N months. Customers come from the control plane (the caller passes them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from touchline.analytics.lifetime import (
    CASH,
    CohortGroup,
    Lifetime,
    Payment,
    cohort_key,
    first_touches,
    group_lifetimes,
    lifetime,
    local_day,
    person_conversions,
)
from touchline.analytics.query import parse_whole_number
from touchline.store.base import EventStore

DEFAULT_MONTHS: Final = 12
MAX_MONTHS: Final = 36


@dataclass(frozen=True, slots=True)
class Cohort:
    cohort: str
    customers: int
    converted: int  # customers with at least one conversion
    conversions: int
    ltv: Decimal  # the cohort's cash, net of refunds

    @property
    def average_ltv(self) -> Decimal:
        return self.ltv / self.customers if self.customers else Decimal(0)


@dataclass(frozen=True, slots=True)
class LtvCohort:
    cohort: str  # YYYY-MM of the customers' first cash payment
    customers: int
    cumulative: tuple[Decimal, ...]  # cohort cash by the end of month 0, 1, … (N values)


def cohorts(
    store: EventStore,
    *,
    profile_id: str,
    timezone: str,
    created: Mapping[str, datetime],
    group: CohortGroup,
    start: date | None = None,
    end: date | None = None,
) -> list[Cohort]:
    """Cohorts of the customers created between `start` and `end` (local days, inclusive)."""
    days = {c: local_day(at, timezone) for c, at in created.items()}
    kept = {c: d for c, d in days.items() if _within(d, start, end)}
    by_time = group in (CohortGroup.WEEK, CohortGroup.MONTH)
    touches = {} if by_time or not kept else first_touches(store, profile_id=profile_id)
    keys = {c: cohort_key(group, d, touches.get(c)) for c, d in kept.items()}
    found = person_conversions(store, profile_id=profile_id) if kept else {}
    lives = {c: lifetime(found[c]) for c in kept if c in found}
    rows = [_cohort(key, members) for key, members in group_lifetimes(keys, lives).items()]
    return sorted(rows, key=lambda r: r.cohort)


def _cohort(key: str, members: list[Lifetime]) -> Cohort:
    return Cohort(
        cohort=key,
        customers=len(members),
        converted=sum(1 for m in members if m.conversions),
        conversions=sum(m.conversions for m in members),
        ltv=sum((m.ltv for m in members), Decimal(0)),
    )


def _within(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def parse_months(value: str | None) -> int:
    """`months`: 1..36, default 12."""
    return parse_whole_number(
        value, name="months", default=DEFAULT_MONTHS, minimum=1, maximum=MAX_MONTHS
    )


def ltv_cohorts(
    store: EventStore, *, profile_id: str, timezone: str, customers: set[str], months: int
) -> list[LtvCohort]:
    """Customers by the month of their first cash payment; each cohort's cash (refunds
    included) accumulated by the end of each of the `months` months from that one."""
    found = person_conversions(store, profile_id=profile_id)
    buckets: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * months)
    sizes: dict[str, int] = defaultdict(int)
    for customer, payments in found.items():
        cash = [p for p in payments if customer in customers and p.revenue_type == CASH]
        first = next((p for p in cash if not p.refund_of), None)
        if first is None:
            continue
        start = local_day(first.ts, timezone)
        key = start.strftime("%Y-%m")
        sizes[key] += 1
        for payment in cash:
            offset = _month_offset(start, local_day(payment.ts, timezone))
            if 0 <= offset < months:
                buckets[key][offset] += _value(payment)
    return [LtvCohort(key, sizes[key], _running(buckets[key])) for key in sorted(sizes)]


def _value(payment: Payment) -> Decimal:
    return payment.reporting_value or Decimal(0)


def _month_offset(start: date, day: date) -> int:
    return (day.year - start.year) * 12 + day.month - start.month


def _running(values: list[Decimal]) -> tuple[Decimal, ...]:
    total, out = Decimal(0), []
    for value in values:
        total += value
        out.append(total)
    return tuple(out)
