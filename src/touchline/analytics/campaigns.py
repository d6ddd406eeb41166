"""Attribution by channel, campaign, ad set or ad: attributed cash, outcomes of every revenue
type, pipeline and gross values kept apart, spend and delivery, ROAS and CAC.

A credited touch resolves to an ad entity by its own ad id when it carries one, else by the UTM
holding that level (`utm_campaign`, `utm_term`, `utm_content`) matched against the entities' ids
or names (§9 #26). A campaign seen only in UTMs is still a row, with zero spend; entities with
spend and no conversions are rows too (docs/analytics.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import orjson

from touchline.analytics.attribution import (
    REFUND_IDS,
    Level,
    credit_column,
    credited,
    money,
    period_params,
    ratio,
    share,
)
from touchline.analytics.period_credits import PERIOD_CREDITS
from touchline.analytics.query import Period, bound_sql
from touchline.analytics.spend import Delivery, delivery_by_key
from touchline.domain.attribution.settings import Model
from touchline.domain.money import cents
from touchline.domain.revenue import RevenueType
from touchline.store.base import EventStore, Sql

# level → (ad id column the touch may carry, UTM that holds the id or name, parent level)
COLUMNS: Final = {
    Level.CAMPAIGN: ("campaign_id", "utm_campaign", None),
    Level.AD_SET: ("ad_set_id", "utm_term", Level.CAMPAIGN),
    Level.AD: ("ad_id", "utm_content", Level.AD_SET),
}
PARENT_COLUMN: Final = {Level.AD_SET: "campaign_id", Level.AD: "ad_set_id"}


@dataclass(frozen=True, slots=True)
class Entity:
    """What the ad platform says about an entity (empty for channels and UTM-only rows)."""

    platform: str = ""
    name: str = ""
    parent_name: str = ""
    status: str = ""
    objective: str = ""
    daily_budget: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Credited value and credit-weighted count of attributed conversions, per revenue type."""

    cash_value: Decimal = Decimal("0.00")
    pipeline_value: Decimal = Decimal("0.00")
    gross_value: Decimal = Decimal("0.00")
    cash: float = 0.0
    pipeline: float = 0.0
    gross: float = 0.0


@dataclass(frozen=True, slots=True)
class AttributionRow:
    level: Level
    key: str  # channel name, platform entity id, or the UTM value of a campaign with no entity
    name: str
    entity: Entity
    delivery: Delivery
    outcomes: Outcomes

    @property
    def revenue(self) -> Decimal:
        """Attributed cash (the API's `outcome_value`): the only money in ROAS."""
        return self.outcomes.cash_value

    @property
    def spend(self) -> Decimal:
        return self.delivery.spend

    @property
    def outcome_count(self) -> float:
        """Attributed conversions of every revenue type, credit-weighted (§9 #17)."""
        return share(self.outcomes.cash + self.outcomes.pipeline + self.outcomes.gross)

    @property
    def roas(self) -> float | None:
        return ratio(self.revenue, self.spend)

    @property
    def cac(self) -> Decimal | None:
        count = Decimal(repr(self.outcome_count))
        return cents(self.spend / count) if count > 0 else None

    @property
    def ctr(self) -> float | None:
        """Clicks per impression, as a percentage."""
        return ratio(Decimal(100 * self.delivery.clicks), Decimal(self.delivery.impressions))

    @property
    def avg_cpm(self) -> Decimal | None:
        impressions = self.delivery.impressions
        return cents(self.spend * 1000 / impressions) if impressions else None

    @property
    def avg_cpc(self) -> Decimal | None:
        clicks = self.delivery.clicks
        return cents(self.spend / clicks) if clicks else None


def attribution_by(
    store: EventStore, *, profile_id: str, period: Period, model: Model, level: Level
) -> list[AttributionRow]:
    """Every row with attributed conversions or spend in the period, ranked by attributed cash,
    then outcomes, then spend."""
    outcomes = _outcomes(store.query(credits_by_key_sql(profile_id, period, model, level)))
    delivery = delivery_by_key(store, profile_id=profile_id, period=period, level=level)
    keys = sorted(outcomes.keys() | delivery.keys())
    entities = _entities(store, profile_id, level, keys)
    rows = [
        AttributionRow(
            level=level,
            key=key,
            name=entities[key].name if key in entities and entities[key].name else key,
            entity=entities.get(key, Entity()),
            delivery=delivery.get(key, Delivery()),
            outcomes=outcomes.get(key, Outcomes()),
        )
        for key in keys
    ]
    return sorted(rows, key=lambda r: (-r.revenue, -r.outcome_count, -r.spend, r.key))


def credits_by_key_sql(profile_id: str, period: Period, model: Model, level: Level) -> Sql:
    """Credited value and count per (row key, revenue type) of the period's conversions;
    refunds reduce value but are not outcomes."""
    column = credit_column(model)
    return bound_sql(
        f"""SELECT k, revenue_type, sum({credited(model)}),
  sum(CASE WHEN conversion_id IN ({REFUND_IDS}) THEN 0.0 ELSE {column} END)
FROM ({_keyed_credits(level, column)}) AS keyed
WHERE k <> ''
GROUP BY k, revenue_type""",
        {**period_params(profile_id, period), "level": level.value},
    )


def _keyed_credits(level: Level, column: str) -> str:
    """The period's credit rows with a share under the model, each with its row key `k`."""
    where = (
        "c.profile_id = $profile AND c.conversion_ts >= $start AND c.conversion_ts < $end"
        f" AND c.{column} > 0"
    )
    select = f"c.conversion_id, c.revenue_type, c.reporting_value, c.{column}"
    if level is Level.CHANNEL:
        return f"SELECT c.channel AS k, {select} FROM ({PERIOD_CREDITS}) c WHERE {where}"
    own, utm, _ = COLUMNS[level]
    # Only campaigns exist without an entity; an unmatched utm_term/utm_content is no ad set/ad.
    fallback = f"c.{utm}" if level is Level.CAMPAIGN else "''"
    return f"""SELECT CASE WHEN c.{own} <> '' THEN c.{own}
    ELSE coalesce(nullif(i.entity_id, ''), nullif(n.named_id, ''), {fallback}) END AS k, {select}
  FROM ({PERIOD_CREDITS}) c
  LEFT JOIN (SELECT DISTINCT entity_id FROM ad_entities
             WHERE profile_id = $profile AND level = $level) i ON i.entity_id = c.{utm}
  LEFT JOIN (SELECT name, min(entity_id) AS named_id FROM ad_entities
             WHERE profile_id = $profile AND level = $level AND name <> ''
             GROUP BY name) n ON n.name = c.{utm}
  WHERE {where}"""


def _outcomes(rows: list[tuple[Any, ...]]) -> dict[str, Outcomes]:
    sums: dict[str, dict[str, Any]] = {}
    for key, revenue_type, value, count in rows:
        acc = sums.setdefault(str(key), {})
        acc[f"{revenue_type}_value"] = acc.get(f"{revenue_type}_value", 0) + Decimal(value or 0)
        acc[str(revenue_type)] = acc.get(str(revenue_type), 0.0) + float(count or 0.0)
    return {key: _outcome(acc) for key, acc in sums.items()}


def _outcome(acc: dict[str, Any]) -> Outcomes:
    cash, pipeline, gross = RevenueType.CASH, RevenueType.PIPELINE, RevenueType.GROSS
    return Outcomes(
        cash_value=money(acc.get(f"{cash}_value")),
        pipeline_value=money(acc.get(f"{pipeline}_value")),
        gross_value=money(acc.get(f"{gross}_value")),
        cash=share(acc.get(cash)),
        pipeline=share(acc.get(pipeline)),
        gross=share(acc.get(gross)),
    )


def entities_sql(profile_id: str, level: Level, keys: list[str]) -> Sql:
    """Platform, name, status, details and parent name of the entities among `keys`."""
    parent = COLUMNS[level][2]
    join = (
        f"""LEFT JOIN (SELECT entity_id AS parent_id, name AS parent_name FROM ad_entities
           WHERE profile_id = $profile AND level = $parent) p
  ON p.parent_id = e.{PARENT_COLUMN[level]}"""
        if parent is not None
        else ""
    )
    parent_name = "p.parent_name" if parent is not None else "''"
    return bound_sql(
        f"""SELECT e.entity_id, e.platform, e.name, e.status, e.details, {parent_name}
FROM ad_entities e {join}
WHERE e.profile_id = $profile AND e.level = $level AND list_contains($keys, e.entity_id)
ORDER BY e.entity_id, e.platform""",
        {
            "profile": profile_id,
            "level": level.value,
            "parent": parent.value if parent else "",
            "keys": keys,
        },
    )


def _entities(
    store: EventStore, profile_id: str, level: Level, keys: list[str]
) -> dict[str, Entity]:
    if level is Level.CHANNEL or not keys:
        return {}
    out: dict[str, Entity] = {}
    for entity_id, platform, name, status, details, parent_name in store.query(
        entities_sql(profile_id, level, keys)
    ):
        extra = _details(details)
        out.setdefault(
            str(entity_id),
            Entity(
                platform=str(platform or ""),
                name=str(name or ""),
                parent_name=str(parent_name or ""),
                status=str(status or ""),
                objective=str(extra.get("objective") or ""),
                daily_budget=_budget(extra.get("daily_budget")),
            ),
        )
    return out


def _details(text: Any) -> dict[str, Any]:
    try:
        value = orjson.loads(text or "{}")
    except orjson.JSONDecodeError:
        return {}  # details are informational: a malformed blob must not fail the report
    return value if isinstance(value, dict) else {}


def _budget(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        budget = cents(value)
    except ArithmeticError:
        return None
    return budget if budget.is_finite() else None


def campaign_names_sql(profile_id: str, values: list[str]) -> Sql:
    return Sql(
        """SELECT entity_id, name FROM ad_entities
WHERE profile_id = $profile AND level = 'campaign'
  AND (list_contains($values, entity_id) OR list_contains($values, name))
ORDER BY entity_id, platform""",
        {"profile": profile_id, "values": values},
    )


def campaign_names(store: EventStore, *, profile_id: str, values: list[str]) -> dict[str, str]:
    """Each value (a campaign id, or a UTM holding an id or a name) → the campaign's name, for
    the values an ad entity matches (§9 #26)."""
    wanted = sorted({v for v in values if v})
    if not wanted:
        return {}
    out: dict[str, str] = {}
    for entity_id, name in store.query(campaign_names_sql(profile_id, wanted)):
        out.setdefault(str(entity_id), str(name or entity_id))
        if name:
            out.setdefault(str(name), str(name))
    return out
