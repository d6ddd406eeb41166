"""What a segment's traffic brought: attributed cash and credit-weighted conversions of its
touches under a model, its conversions and their coverage, and the cash it collected.

Under a filter, a conversion belongs to the segment when a touch in its path (a credit row)
passes the filters; a conversion without touches belongs to no filtered segment
(docs/decisions/0952). Refunds are negative cash on the day they happened, never outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from touchline.analytics.attribution import (
    REFUND_IDS,
    ZERO,
    credit_column,
    credited,
    money,
    period_params,
    share,
)
from touchline.analytics.coverage import coverage_sql
from touchline.analytics.period_credits import PERIOD_SHARES
from touchline.analytics.query import Period, bound_sql
from touchline.analytics.segments import NONE_LABEL, Segment, touches_sql
from touchline.domain.attribution.settings import Model
from touchline.domain.revenue import RevenueType
from touchline.store.base import EventStore, Sql

CASH: Final = RevenueType.CASH.value


@dataclass(frozen=True, slots=True)
class Credited:
    """Attributed cash and credit-weighted conversions (every revenue type) of some touches."""

    conversions: float = 0.0
    revenue: Decimal = Decimal("0.00")


def credited_sql(
    profile_id: str, period: Period, segment: Segment, model: Model, *, group: str
) -> Sql:
    """Per `group` (an expression over the touch `t`): attributed cash and conversions."""
    params = {**period_params(profile_id, period), **segment.params()}
    source = touches_sql(model)
    if not segment and "t." not in group:  # no touch dimension read: skip the touch lookups
        source = f"SELECT *, {credit_column(model)} AS share FROM ({PERIOD_SHARES}) AS shares"
    return bound_sql(
        f"""SELECT {group} AS k,
  sum(CASE WHEN t.revenue_type = '{CASH}' THEN {credited(model, alias="t")} END),
  sum(CASE WHEN t.conversion_id IN ({REFUND_IDS}) THEN 0.0 ELSE t.share END)
FROM ({source}) t
WHERE t.share > 0 AND {segment.touches_where("t")}
GROUP BY k""",
        params,
    )


def credited_by(
    store: EventStore,
    *,
    profile_id: str,
    period: Period,
    segment: Segment,
    model: Model,
    group: str,
) -> dict[str, Credited]:
    rows = store.query(credited_sql(profile_id, period, segment, model, group=group))
    return {
        NONE_LABEL if key in ("", None) else str(key): Credited(share(count), money(value))
        for key, value, count in rows
    }


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Attribution-eligible conversions of the period and how many a model credits."""

    outcomes: int
    attributed: int

    @property
    def coverage_percent(self) -> float:
        return round(100 * self.attributed / self.outcomes, 2) if self.outcomes else 0.0


def segment_outcomes_sql(profile_id: str, period: Period, segment: Segment, model: Model) -> Sql:
    params = {**period_params(profile_id, period), **segment.params()}
    return bound_sql(
        f"""SELECT count(DISTINCT t.conversion_id),
  count(DISTINCT CASE WHEN t.share > 0 THEN t.conversion_id END)
FROM ({touches_sql(model)}) t
WHERE t.conversion_id NOT IN ({REFUND_IDS}) AND {segment.touches_where("t")}""",
        params,
    )


def outcomes(
    store: EventStore, *, profile_id: str, period: Period, segment: Segment, model: Model
) -> Outcomes:
    """Unfiltered: every eligible conversion (attributed or not); filtered: those with a
    touch passing the filters, attributed when such a touch has a share under the model."""
    if not segment:  # the coverage counts alone: the report's unconverted lists are not needed
        [(total, attributed, *_)] = store.query(coverage_sql(profile_id, period, model))
        return Outcomes(int(total or 0), int(attributed or 0))
    [(total, attributed)] = store.query(segment_outcomes_sql(profile_id, period, segment, model))
    return Outcomes(int(total or 0), int(attributed or 0))


@dataclass(frozen=True, slots=True)
class Cash:
    """Cash collected: payments less refunds (reporting currency), and the payments' count."""

    revenue: Decimal = Decimal("0.00")
    payments: int = 0


def cash_sql(profile_id: str, period: Period, segment: Segment, *, group: str) -> Sql:
    """Per `group` (an expression over the conversion `c`, e.g. its local day)."""
    scope = "TRUE"
    if segment:
        scope = f"""c.conversion_id IN (SELECT t.conversion_id FROM ({touches_sql(Model.LINEAR)}) t
    WHERE {segment.touches_where("t")})"""
    params = {**period_params(profile_id, period), **segment.params()}
    return bound_sql(
        f"""SELECT {group} AS k, sum(c.reporting_value),
  sum(CASE WHEN c.refund_of = '' THEN 1 ELSE 0 END)
FROM conversions c
WHERE c.profile_id = $profile AND c.ts >= $start AND c.ts < $end
  AND c.revenue_type = '{CASH}' AND {scope}
GROUP BY k""",
        params,
    )


def cash_by(
    store: EventStore,
    *,
    profile_id: str,
    period: Period,
    segment: Segment,
    group: str,
    params: dict[str, Any] | None = None,
) -> dict[Any, Cash]:
    sql = cash_sql(profile_id, period, segment, group=group)
    if params:
        sql = bound_sql(sql.text, {**sql.params, **params})
    return {key: Cash(money(value), int(count or 0)) for key, value, count in store.query(sql)}


def total_cash(store: EventStore, *, profile_id: str, period: Period, segment: Segment) -> Cash:
    found = cash_by(store, profile_id=profile_id, period=period, segment=segment, group="''")
    return next(iter(found.values()), Cash(money(ZERO), 0))
