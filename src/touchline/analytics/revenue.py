"""Revenue by day: attributed cash under a model, ad spend and cash collected per local day;
and cash collected by payment source and original currency (reconciliation).

Attributed revenue is credit times the conversion's normalized value, cash only; refunds and
chargebacks count as negatives on the day they happened (CHECKLIST §3.6, §9 #15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from touchline.analytics.attribution import ZERO, credited, money, period_params
from touchline.analytics.period_credits import PERIOD_SHARES
from touchline.analytics.query import Period, bound_sql
from touchline.analytics.spend import spend_by_day
from touchline.domain.attribution.settings import Model
from touchline.domain.revenue import RevenueType
from touchline.store.base import EventStore, Sql

CASH: Final = RevenueType.CASH.value
IN_PERIOD: Final = "profile_id = $profile AND ts >= $start AND ts < $end"


@dataclass(frozen=True, slots=True)
class RevenueDay:
    day: date
    revenue: Decimal  # attributed cash under the model, in the reporting currency
    spend: Decimal  # every platform's spend on that report day
    cash_collected: Decimal  # every cash conversion that day, attributed or not, net of refunds


@dataclass(frozen=True, slots=True)
class RevenueByDay:
    model: Model
    days: tuple[RevenueDay, ...]
    unconverted_payments: int  # cash conversions without a rate: in neither sum, never as 0

    @property
    def revenue(self) -> Decimal:
        return sum((d.revenue for d in self.days), ZERO)

    @property
    def spend(self) -> Decimal:
        return sum((d.spend for d in self.days), ZERO)

    @property
    def cash_collected(self) -> Decimal:
        return sum((d.cash_collected for d in self.days), ZERO)


def attributed_by_day_sql(profile_id: str, period: Period, model: Model) -> Sql:
    day, tz = period.local_day_sql("epoch_us(conversion_ts)")
    return bound_sql(
        f"""SELECT {day} AS d, sum({credited(model)}) FROM ({PERIOD_SHARES}) AS credits
WHERE profile_id = $profile AND conversion_ts >= $start AND conversion_ts < $end
  AND revenue_type = '{CASH}'
GROUP BY d""",
        {**period_params(profile_id, period), **tz},
    )


def collected_by_day_sql(profile_id: str, period: Period) -> Sql:
    day, tz = period.local_day_sql("epoch_us(ts)")
    return bound_sql(
        f"""SELECT {day} AS d, sum(reporting_value),
  sum(CASE WHEN reporting_value IS NULL AND value IS NOT NULL THEN 1 ELSE 0 END)
FROM conversions WHERE {IN_PERIOD} AND revenue_type = '{CASH}'
GROUP BY d""",
        {**period_params(profile_id, period), **tz},
    )


def revenue_by_day(
    store: EventStore, *, profile_id: str, period: Period, model: Model
) -> RevenueByDay:
    """One row per local day of the period (days without data are zero)."""
    attributed = {
        int(d): money(v) for d, v in store.query(attributed_by_day_sql(profile_id, period, model))
    }
    collected = store.query(collected_by_day_sql(profile_id, period))
    cash = {int(d): money(v) for d, v, _ in collected}
    spend = spend_by_day(store, profile_id=profile_id, period=period)
    zero = money(ZERO)
    days = tuple(
        RevenueDay(day, attributed.get(i, zero), spend.get(day, zero), cash.get(i, zero))
        for i, day in enumerate(period.days)
    )
    return RevenueByDay(model, days, sum(int(n or 0) for _, _, n in collected))


@dataclass(frozen=True, slots=True)
class CashCollected:
    """Cash conversions of one payment source in one currency (original amounts)."""

    source: str  # the provider of webhook:/sync: origins (stripe, mercadopago); else the origin
    currency: str
    total: Decimal  # payments minus refunds, in `currency`
    count: int  # payments
    refunds: int
    refunded: Decimal  # refunds and chargebacks, as a positive amount in `currency`


def cash_collected_sql(profile_id: str, period: Period) -> Sql:
    return bound_sql(
        f"""SELECT origin, currency,
  sum(CASE WHEN refund_of = '' THEN value END),
  sum(CASE WHEN refund_of = '' THEN 1 ELSE 0 END),
  sum(CASE WHEN refund_of <> '' THEN -value END),
  sum(CASE WHEN refund_of <> '' THEN 1 ELSE 0 END)
FROM conversions WHERE {IN_PERIOD} AND revenue_type = '{CASH}' AND currency <> ''
GROUP BY origin, currency""",
        period_params(profile_id, period),
    )


def cash_collected(store: EventStore, *, profile_id: str, period: Period) -> list[CashCollected]:
    """Model-independent; ordered by source then currency."""
    acc: dict[tuple[str, str], list[Decimal | int]] = {}
    for origin, currency, paid, count, refunded, refunds in store.query(
        cash_collected_sql(profile_id, period)
    ):
        sums = acc.setdefault((source_of(str(origin)), str(currency)), [ZERO, 0, ZERO, 0])
        sums[0] += Decimal(paid or 0)
        sums[1] += int(count or 0)
        sums[2] += Decimal(refunded or 0)
        sums[3] += int(refunds or 0)
    return [
        CashCollected(
            source,
            currency,
            total=money(Decimal(paid) - Decimal(refunded)),
            count=int(count),
            refunds=int(refunds),
            refunded=money(refunded),
        )
        for (source, currency), (paid, count, refunded, refunds) in sorted(acc.items())
    ]


def source_of(origin: str) -> str:
    """`webhook:stripe` and `sync:stripe` → `stripe`; `tracker`, `import` stay as they are."""
    return origin.partition(":")[2] or origin
