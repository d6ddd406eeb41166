"""Attributed money and conversions: the one query layer the REST API, MCP and dashboard share.

Money fields are attributed **cash** only, in the profile's reporting currency (credit times
the conversion's normalized value, in DECIMAL); `outcome_count` counts attributed conversions of
every revenue type (CHECKLIST §3.6, §9 #15, #17).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from touchline.analytics.query import Period, bound_sql
from touchline.domain.attribution.settings import DEFAULT_MODEL, Model
from touchline.domain.money import cents
from touchline.errors import InvalidParameter
from touchline.store.base import EventStore

ZERO: Final = Decimal(0)


def parse_model(value: str | None) -> Model:
    """A `model` parameter; unknown → `invalid_parameter` naming it."""
    if value is None or value == "":
        return DEFAULT_MODEL
    try:
        return Model(value)
    except ValueError:
        known = ", ".join(m.value for m in Model)
        raise InvalidParameter(f"model must be one of {known}; got {value!r}") from None


class Level(StrEnum):
    CHANNEL = "channel"
    CAMPAIGN = "campaign"
    AD_SET = "ad_set"
    AD = "ad"


def credited(model: Model) -> str:
    """Credited value of a credit row, as exact DECIMAL."""
    return f"CAST({model.value} AS DECIMAL(38, 12)) * reporting_value"


def _period_params(profile_id: str, period: Period) -> dict[str, Any]:
    return {"profile": profile_id, "start": period.start, "end": period.end}


IN_PERIOD: Final = "profile_id = $profile AND conversion_ts >= $start AND conversion_ts < $end"


@dataclass(frozen=True, slots=True)
class RevenueDay:
    day: date
    revenue: Decimal  # attributed cash under the model
    cash_collected: Decimal  # every cash conversion that day, attributed or not


def revenue_by_day(
    store: EventStore, *, profile_id: str, period: Period, model: Model
) -> list[RevenueDay]:
    day_c, p1 = period.local_day_sql("epoch_us(conversion_ts)", prefix="a")
    day_v, p2 = period.local_day_sql("epoch_us(ts)", prefix="b")
    attributed = store.query(
        bound_sql(
            f"SELECT {day_c} AS d, sum({credited(model)}) FROM credits"
            f" WHERE {IN_PERIOD} AND revenue_type = 'cash' GROUP BY d",
            {**_period_params(profile_id, period), **p1},
        )
    )
    collected = store.query(
        bound_sql(
            f"SELECT {day_v} AS d, sum(reporting_value) FROM conversions"
            " WHERE profile_id = $profile AND ts >= $start AND ts < $end"
            " AND revenue_type = 'cash' GROUP BY d",
            {**_period_params(profile_id, period), **p2},
        )
    )
    a = {int(d): Decimal(v or 0) for d, v in attributed}
    c = {int(d): Decimal(v or 0) for d, v in collected}
    return [
        RevenueDay(day, cents(a.get(i, ZERO)), cents(c.get(i, ZERO)))
        for i, day in enumerate(period.days)
    ]


@dataclass(frozen=True, slots=True)
class AttributionRow:
    level: Level
    key: str  # channel name or platform entity id (or the utm value when no entity exists)
    name: str
    spend: Decimal
    revenue: Decimal  # attributed cash
    outcome_count: float  # credit-weighted attributed conversions, every revenue type
    pipeline_value: Decimal
    gross_value: Decimal
    conversions_by_type: dict[str, float] = field(default_factory=dict)

    @property
    def roas(self) -> float | None:
        return None if self.spend <= 0 else round(float(self.revenue / self.spend), 2)

    @property
    def cac(self) -> Decimal | None:
        return (
            None
            if self.outcome_count <= 0
            else cents(self.spend / Decimal(repr(self.outcome_count)))
        )


def _dimension(level: Level) -> tuple[str, str, str]:
    """(key, name, utm column) of a credit row at `level` (§9 #26: id or name)."""
    if level is Level.CHANNEL:
        return "channel", "channel", "channel"
    column = {"campaign": "campaign_id", "ad_set": "ad_set_id", "ad": "ad_id"}[level.value]
    utm = {"campaign": "utm_campaign", "ad_set": "utm_term", "ad": "utm_content"}[level.value]
    return column, column, utm


def attribution_by(
    store: EventStore, *, profile_id: str, period: Period, model: Model, level: Level
) -> list[AttributionRow]:
    """Attributed revenue, conversions, spend and ROAS per channel, campaign, ad set or ad."""
    params = {
        **_period_params(profile_id, period),
        "level": level.value,
        "day_from": period.date_from,
        "day_to": period.date_to,
    }
    key = _credit_key(level)
    credit_rows = store.query(
        bound_sql(
            f"""WITH entities AS (
  SELECT entity_id, min(name) AS name FROM ad_entities
  WHERE profile_id = $profile AND level = $level GROUP BY entity_id
), by_name AS (
  SELECT name, min(entity_id) AS entity_id FROM ad_entities
  WHERE profile_id = $profile AND level = $level GROUP BY name
), rows AS (
  SELECT c.*, {key} AS k FROM credits c
  LEFT JOIN entities e ON e.entity_id = {_raw(level, "c")}
  LEFT JOIN by_name n ON n.name = {_raw(level, "c")}
  WHERE c.profile_id = $profile AND c.conversion_ts >= $start AND c.conversion_ts < $end
)
SELECT k, revenue_type,
  sum(CASE WHEN revenue_type = 'cash' THEN {credited(model)} END),
  sum(CASE WHEN revenue_type = 'pipeline' THEN {credited(model)} END),
  sum(CASE WHEN revenue_type = 'gross' THEN {credited(model)} END),
  sum({model.value})
FROM rows WHERE k <> '' GROUP BY k, revenue_type""",
            params,
        )
    )
    spend_rows = store.query(
        bound_sql(
            f"""SELECT {_spend_key(level)} AS k, sum(coalesce(reporting_spend, 0)) FROM ad_insights
WHERE profile_id = $profile AND {_spend_level(level)}
  AND CAST(day AS DATE) BETWEEN $day_from AND $day_to
GROUP BY k""",
            params,
        )
    )
    names = (
        dict(
            store.query(
                bound_sql(
                    "SELECT entity_id, min(name) FROM ad_entities WHERE profile_id = $profile"
                    " AND level = $level GROUP BY entity_id",
                    {"profile": profile_id, "level": level.value},
                )
            )
        )
        if level is not Level.CHANNEL
        else {}
    )
    return _rows(level, credit_rows, spend_rows, names)


def _raw(level: Level, alias: str) -> str:
    """The credit row's own value at `level`: its ad id, else the UTM that may hold id or name."""
    column, _, utm = _dimension(level)
    if level is Level.CHANNEL:
        return f"{alias}.channel"
    return f"coalesce(nullif({alias}.{column}, ''), {alias}.{utm})"


def _credit_key(level: Level) -> str:
    if level is Level.CHANNEL:
        return "c.channel"
    raw = _raw(level, "c")
    return f"coalesce(nullif(e.entity_id, ''), nullif(n.entity_id, ''), {raw})"


def _spend_key(level: Level) -> str:
    if level is Level.CHANNEL:
        return "CASE platform WHEN 'google_ads' THEN 'Paid Search' ELSE 'Paid Social' END"
    return "entity_id"


def _spend_level(level: Level) -> str:
    return "level = 'campaign'" if level is Level.CHANNEL else "level = $level"


def _rows(
    level: Level,
    credit_rows: list[tuple[Any, ...]],
    spend_rows: list[tuple[Any, ...]],
    names: dict[Any, Any],
) -> list[AttributionRow]:
    acc: dict[str, dict[str, Any]] = {}
    for k, revenue_type, cash, pipeline, gross, count in credit_rows:
        row = acc.setdefault(str(k), _empty())
        row["revenue"] += Decimal(cash or 0)
        row["pipeline"] += Decimal(pipeline or 0)
        row["gross"] += Decimal(gross or 0)
        row["count"] += float(count or 0)
        row["types"][str(revenue_type)] = row["types"].get(str(revenue_type), 0.0) + float(
            count or 0
        )
    for k, spend in spend_rows:
        acc.setdefault(str(k), _empty())["spend"] += Decimal(spend or 0)
    out = [
        AttributionRow(
            level=level,
            key=k,
            name=str(names.get(k, k)),
            spend=cents(v["spend"]),
            revenue=cents(v["revenue"]),
            outcome_count=round(v["count"], 6),
            pipeline_value=cents(v["pipeline"]),
            gross_value=cents(v["gross"]),
            conversions_by_type={t: round(n, 6) for t, n in sorted(v["types"].items())},
        )
        for k, v in acc.items()
    ]
    return sorted(out, key=lambda r: (-r.revenue, -r.outcome_count, r.key))


def _empty() -> dict[str, Any]:
    return {
        "revenue": ZERO,
        "pipeline": ZERO,
        "gross": ZERO,
        "spend": ZERO,
        "count": 0.0,
        "types": {},
    }


@dataclass(frozen=True, slots=True)
class GoalCount:
    goal_key: str
    revenue_type: str
    count: int
    value: Decimal  # normalized value of those conversions (their own revenue type)


def conversion_counts(store: EventStore, *, profile_id: str, period: Period) -> list[GoalCount]:
    rows = store.query(
        bound_sql(
            "SELECT goal_key, revenue_type, count(*), sum(coalesce(reporting_value, 0))"
            " FROM conversions WHERE profile_id = $profile AND ts >= $start AND ts < $end"
            " AND refund_of = '' GROUP BY goal_key, revenue_type ORDER BY goal_key",
            _period_params(profile_id, period),
        )
    )
    return [GoalCount(str(g), str(t), int(n), cents(Decimal(v or 0))) for g, t, n, v in rows]


def conversions_by_day(
    store: EventStore, *, profile_id: str, period: Period
) -> dict[date, dict[str, int]]:
    day, params = period.local_day_sql("epoch_us(ts)")
    rows = store.query(
        bound_sql(
            f"SELECT {day} AS d, goal_key, count(*) FROM conversions WHERE profile_id = $profile"
            " AND ts >= $start AND ts < $end AND refund_of = '' GROUP BY d, goal_key",
            {**_period_params(profile_id, period), **params},
        )
    )
    out: dict[date, dict[str, int]] = {d: {} for d in period.days}
    for d, goal, n in rows:
        out[period.date_from + timedelta(days=int(d))][str(goal)] = int(n)
    return out


@dataclass(frozen=True, slots=True)
class Coverage:
    eligible: int
    attributed: int
    unattributed_cash: Decimal
    unconverted: int  # conversions whose currency had no rate (data quality)
    unconverted_currencies: tuple[str, ...]

    @property
    def attributable_coverage_pct(self) -> float:
        """From raw counts, rounded once (§9 #42)."""
        return 0.0 if self.eligible == 0 else round(100 * self.attributed / self.eligible, 1)


def coverage(store: EventStore, *, profile_id: str, period: Period) -> Coverage:
    params = _period_params(profile_id, period)
    [(eligible, attributed, unattributed_cash)] = store.query(
        bound_sql(
            """WITH c AS (
  SELECT conversion_id, revenue_type, reporting_value FROM conversions
  WHERE profile_id = $profile AND ts >= $start AND ts < $end
    AND attribution_eligible AND refund_of = ''
), hit AS (SELECT DISTINCT conversion_id FROM credits WHERE profile_id = $profile)
SELECT count(*), count(hit.conversion_id),
  sum(CASE WHEN hit.conversion_id IS NULL AND c.revenue_type = 'cash'
      THEN coalesce(c.reporting_value, 0) ELSE 0 END)
FROM c LEFT JOIN hit ON hit.conversion_id = c.conversion_id""",
            params,
        )
    )
    missing = store.query(
        bound_sql(
            "SELECT currency, count(*) FROM conversions WHERE profile_id = $profile"
            " AND ts >= $start AND ts < $end AND fx_status = 'unconverted' GROUP BY currency"
            " ORDER BY currency",
            params,
        )
    )
    return Coverage(
        eligible=int(eligible),
        attributed=int(attributed),
        unattributed_cash=cents(Decimal(unattributed_cash or 0)),
        unconverted=sum(int(n) for _, n in missing),
        unconverted_currencies=tuple(str(c) for c, _ in missing),
    )
