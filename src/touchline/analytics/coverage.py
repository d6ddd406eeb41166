"""Attribution coverage of a period: how many attribution-eligible conversions a model credits
to some touch and how much cash they carry, and what could not be valued in the reporting
currency (conversions and spend without a rate) — a data-quality signal, never a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from touchline.analytics.attribution import credit_column, money, period_params
from touchline.analytics.period_credits import PERIOD_SHARES
from touchline.analytics.query import Period, bound_sql
from touchline.analytics.spend import insight_bounds
from touchline.domain.attribution.settings import Model
from touchline.store.base import EventStore, Sql

ELIGIBLE_IN_PERIOD: Final = """profile_id = $profile AND ts >= $start AND ts < $end
  AND attribution_eligible AND refund_of = ''"""


@dataclass(frozen=True, slots=True)
class Unconverted:
    count: int = 0
    currencies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Coverage:
    model: Model
    eligible: int  # attribution-eligible conversions in the period (refunds are not conversions)
    attributed: int  # of them, credited to at least one touch under the model
    attributed_cash: Decimal  # normalized value of the attributed cash conversions
    unattributed_cash: Decimal
    unconverted_conversions: Unconverted  # every revenue type; their value is in no sum
    unconverted_spend: Unconverted  # insight rows (any level) whose spend had no rate

    @property
    def unattributed(self) -> int:
        return self.eligible - self.attributed

    @property
    def attributed_pct(self) -> float:
        """From the raw counts, rounded once (§9 #42)."""
        return round(100 * self.attributed / self.eligible, 1) if self.eligible else 0.0


def coverage_sql(profile_id: str, period: Period, model: Model) -> Sql:
    # A conversion can have credit rows that are all zero under a model (touches only in the
    # first-touch window): attributed means a positive share under *this* model.
    return bound_sql(
        f"""SELECT count(*), sum(hit),
  sum(CASE WHEN hit = 1 AND revenue_type = 'cash' THEN reporting_value END),
  sum(CASE WHEN hit = 0 AND revenue_type = 'cash' THEN reporting_value END)
FROM (
  SELECT revenue_type, reporting_value,
    CASE WHEN conversion_id IN (
      SELECT conversion_id FROM ({PERIOD_SHARES}) AS credits
      WHERE profile_id = $profile AND conversion_ts >= $start AND conversion_ts < $end
      GROUP BY conversion_id HAVING sum({credit_column(model)}) > 0
    ) THEN 1 ELSE 0 END AS hit
  FROM conversions WHERE {ELIGIBLE_IN_PERIOD}
) AS eligible""",
        period_params(profile_id, period),
    )


def unconverted_sql(profile_id: str, period: Period) -> Sql:
    return bound_sql(
        """SELECT 'conversion' AS what, currency, count(*) FROM conversions
WHERE profile_id = $profile AND ts >= $start AND ts < $end AND fx_status = 'unconverted'
GROUP BY currency
UNION ALL
SELECT 'spend' AS what, currency, count(*) FROM ad_insights
WHERE profile_id = $profile AND day >= $day_start AND day < $day_end
  AND reporting_spend IS NULL AND spend IS NOT NULL
GROUP BY currency""",
        {**period_params(profile_id, period), **insight_bounds(period)},
    )


def coverage(store: EventStore, *, profile_id: str, period: Period, model: Model) -> Coverage:
    [(eligible, attributed, attributed_cash, unattributed_cash)] = store.query(
        coverage_sql(profile_id, period, model)
    )
    missing: dict[str, dict[str, int]] = {"conversion": {}, "spend": {}}
    for what, currency, count in store.query(unconverted_sql(profile_id, period)):
        missing[str(what)][str(currency or "")] = int(count)
    return Coverage(
        model=model,
        eligible=int(eligible or 0),
        attributed=int(attributed or 0),
        attributed_cash=money(attributed_cash),
        unattributed_cash=money(unattributed_cash),
        unconverted_conversions=_unconverted(missing["conversion"]),
        unconverted_spend=_unconverted(missing["spend"]),
    )


def _unconverted(counts: dict[str, int]) -> Unconverted:
    return Unconverted(sum(counts.values()), tuple(sorted(counts)))
