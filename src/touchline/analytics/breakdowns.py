"""Breakdowns: a segment's traffic and what it brought, per value of one dimension, ranked by
visitors. Traffic counts the visits started in the period that have the value; conversions and
attributed cash are those of the period's conversions credited to touches with the value (a
page's are its landing visits' touches, docs/decisions/0954)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from touchline.analytics.filters import Dimension
from touchline.analytics.outcomes import Credited, credited_by
from touchline.analytics.query import Period
from touchline.analytics.segments import MULTI_VALUED, Segment
from touchline.analytics.visits import Visits, visits_by_value_sql, visits_of, visits_sql
from touchline.domain.attribution.settings import Model
from touchline.store.base import EventStore

# The touch column a dimension's conversions are grouped by (`page`: the landing page).
TOUCH_GROUPS: dict[Dimension, str] = {d: f"t.{d.value}" for d in Dimension} | {
    Dimension.PAGE: "t.entry_page"
}


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    value: str
    visits: Visits
    credited: Credited

    @property
    def conversions(self) -> float:
        return round(self.credited.conversions, 2)

    @property
    def revenue(self) -> Decimal:
        return self.credited.revenue

    @property
    def conversion_rate(self) -> float | None:
        """Conversions per visitor, as a percentage (§9 #10); None without visitors."""
        if not self.visits.visitors:
            return None
        return round(100 * self.credited.conversions / self.visits.visitors, 2)


def breakdown(
    store: EventStore,
    *,
    profile_id: str,
    period: Period,
    segment: Segment,
    dimension: Dimension,
    model: Model,
    limit: int,
) -> list[BreakdownRow]:
    """The top `limit` values by visitors, then visits, then value. A value whose only
    activity is conversions credited to earlier visits is a row with no visitors."""
    if dimension in MULTI_VALUED:
        sql = visits_by_value_sql(profile_id, period, segment, dimension)
    else:
        sql = visits_sql(profile_id, period, segment, group=f"s.{dimension.value}")
    visits = {str(k): v for k, v in visits_of(store.query(sql)).items()}
    credited = credited_by(
        store, profile_id=profile_id, period=period, segment=segment, model=model,
        group=TOUCH_GROUPS[dimension],
    )  # fmt: skip
    rows = [
        BreakdownRow(value, visits.get(value, Visits()), credited.get(value, Credited()))
        for value in visits.keys() | credited.keys()
    ]
    rows.sort(key=lambda r: (-r.visits.visitors, -r.visits.visits, -r.revenue, r.value))
    return rows[:limit]
