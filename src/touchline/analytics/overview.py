"""The overview: a period's KPIs (spend, attributed cash and ROAS, outcomes and their coverage,
traffic, cash collected) beside the previous period of equal length, which ends the day
before `date_from` (Mar 1-25 → Feb 4-28)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from touchline.analytics.attribution import ZERO, money, ratio
from touchline.analytics.outcomes import (
    Cash,
    Credited,
    Outcomes,
    credited_by,
    outcomes,
    total_cash,
)
from touchline.analytics.query import Period
from touchline.analytics.segments import Segment
from touchline.analytics.spend import segment_spend_by_day
from touchline.analytics.visits import TOTAL, Visits, total_visits
from touchline.domain.attribution.settings import Model
from touchline.store.base import EventStore


def previous_period(period: Period) -> Period:
    """As many days as `period`, ending the day before it starts."""
    length = timedelta(days=len(period.days))
    return Period(period.date_from - length, period.date_from - timedelta(days=1), period.timezone)


@dataclass(frozen=True, slots=True)
class Kpis:
    spend: Decimal
    credited: Credited
    outcomes: Outcomes
    visits: Visits
    cash: Cash

    @property
    def roas(self) -> float | None:
        return ratio(self.credited.revenue, self.spend)


@dataclass(frozen=True, slots=True)
class Overview:
    period: Period
    current: Kpis
    previous_period: Period
    previous: Kpis


def kpis(
    store: EventStore, *, profile_id: str, period: Period, segment: Segment, model: Model
) -> Kpis:
    spend = segment_spend_by_day(store, profile_id=profile_id, period=period, segment=segment)
    found = credited_by(
        store, profile_id=profile_id, period=period, segment=segment, model=model, group=TOTAL
    )
    return Kpis(
        spend=money(sum(spend.values(), ZERO)),
        credited=next(iter(found.values()), Credited()),
        outcomes=outcomes(
            store, profile_id=profile_id, period=period, segment=segment, model=model
        ),
        visits=total_visits(store, profile_id=profile_id, period=period, segment=segment),
        cash=total_cash(store, profile_id=profile_id, period=period, segment=segment),
    )


def overview(
    store: EventStore, *, profile_id: str, period: Period, segment: Segment, model: Model
) -> Overview:
    previous = previous_period(period)
    return Overview(
        period=period,
        current=kpis(store, profile_id=profile_id, period=period, segment=segment, model=model),
        previous_period=previous,
        previous=kpis(store, profile_id=profile_id, period=previous, segment=segment, model=model),
    )
