"""The daily timeseries of a segment: visitors, pageviews and bounces of the visits started
each local day, cash collected each local day, and ad spend per report day (§9 #15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from touchline.analytics.attribution import ZERO, money
from touchline.analytics.outcomes import Cash, cash_by
from touchline.analytics.query import Period
from touchline.analytics.segments import Segment
from touchline.analytics.spend import segment_spend_by_day
from touchline.analytics.visits import Visits, visits_of, visits_sql
from touchline.store.base import EventStore, Sql


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    visits: Visits
    cash: Cash
    spend: Decimal


def timeseries(
    store: EventStore, *, profile_id: str, period: Period, segment: Segment
) -> list[Day]:
    """One row per local day of the period, days without data as zeros."""
    day_of_visit, tz = period.local_day_sql("epoch_us(s.started_at)")
    sql = visits_sql(profile_id, period, segment, group=day_of_visit)
    visits = visits_of(store.query(Sql(sql.text, {**sql.params, **tz})))
    day_of_payment, tz = period.local_day_sql("epoch_us(c.ts)")
    cash = cash_by(
        store, profile_id=profile_id, period=period, segment=segment, group=day_of_payment,
        params=tz,
    )  # fmt: skip
    spend = segment_spend_by_day(store, profile_id=profile_id, period=period, segment=segment)
    return [
        Day(
            day,
            visits.get(index, Visits()),
            cash.get(index, Cash(money(ZERO), 0)),
            spend.get(day, money(ZERO)),
        )
        for index, day in enumerate(period.days)
    ]
