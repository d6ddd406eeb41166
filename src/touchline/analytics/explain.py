"""Why a touch got its credit: a conversion's candidate touches (every touch of its person up to
the conversion, inside the window or not, with the window test of each), each touch's credit
under a model by the pure rule (domain/attribution/explain.py), the model's weights, and the
credits actually stored — so a reader can see they agree.

A refund is explained by the payment it reduces: it carries that payment's shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final

from touchline.analytics.attribution import credit_column
from touchline.analytics.query import bound_sql
from touchline.analytics.touches import PersonTouch, person_params, person_touches
from touchline.domain.attribution.explain import Explanation, explain
from touchline.domain.attribution.settings import DATA_DRIVEN, AttributionSettings, Model
from touchline.domain.attribution.touches import Touch
from touchline.errors import NotFound
from touchline.processing.credit_queries import LINKS, with_person
from touchline.store.base import EventStore, Sql

TOLERANCE: Final = 1e-9
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

CONVERSION: Final = f"""WITH {LINKS},
one AS (
  SELECT conversion_id, ts, visitor_key, identity_kind, identity_value, goal_key, revenue_type,
    attribution_eligible, refund_of
  FROM conversions WHERE profile_id = $profile AND conversion_id = $conversion
)
SELECT conversion_id, ts, visitor_key, identity_kind, identity_value, goal_key, revenue_type,
  attribution_eligible, refund_of, person
FROM ({with_person("one")}) AS c"""


@dataclass(frozen=True, slots=True)
class ExplainedConversion:
    """The conversion whose path is explained (for a refund: its payment)."""

    conversion_id: str
    ts: datetime
    person: str  # the customer id, else `v<visitor key>`, else `<kind>:<identifier>`
    goal_key: str
    revenue_type: str
    attribution_eligible: bool
    visitor_key: int  # the browser visitor of the event, or 0
    identity: str  # `<kind>:<identifier>` of its strongest identifier, or ''
    refund_of: str


@dataclass(frozen=True, slots=True)
class ConversionExplanation:
    conversion_id: str  # what was asked about
    refund_of: str  # when it is a refund: the payment explained instead
    conversion: ExplainedConversion
    touches: tuple[PersonTouch, ...]  # the candidates, oldest first, as in `explanation`
    explanation: Explanation
    weights: Mapping[str, float]  # the model's parameters: positions, half-life or channels
    stored: Mapping[int, float]  # the materialized credits, touch_key → share

    @property
    def consistent(self) -> bool:
        """The stored credits equal the rule applied now to the same touches and settings; an
        ineligible conversion has none stored."""
        if not self.conversion.attribution_eligible:
            return not any(self.stored.values())
        now = {t.test.touch.key: t.credit for t in self.explanation.touches if t.credit}
        stored = {k: v for k, v in self.stored.items() if v}
        return now.keys() == stored.keys() and all(abs(now[k] - stored[k]) < TOLERANCE for k in now)


def explain_conversion(
    store: EventStore,
    *,
    profile_id: str,
    conversion_id: str,
    model: Model,
    settings: AttributionSettings,
) -> ConversionExplanation:
    """`NotFound` when the profile has no such conversion."""
    asked = _conversion(store, profile_id, conversion_id)
    conversion = _payment_of(store, profile_id, asked) if asked.refund_of else asked
    touches = _candidates(store, profile_id, conversion)
    channels = _channel_weights(store, profile_id, model)
    explanation = explain(
        model,
        [_rule_touch(t) for t in touches],
        _micros(conversion.ts),
        settings,
        channel_weights=channels or None,
    )
    return ConversionExplanation(
        conversion_id=conversion_id,
        refund_of=asked.refund_of,
        conversion=conversion,
        touches=tuple(touches),
        explanation=explanation,
        weights=model_weights(model, settings, channels),
        stored=_stored(store, profile_id, conversion_id, model),
    )


def _candidates(
    store: EventStore, profile_id: str, conversion: ExplainedConversion
) -> list[PersonTouch]:
    """Every touch of the conversion's person up to its instant, in the window or not."""
    params = person_params(
        profile_id,
        conversion.person,
        visitor=conversion.visitor_key,
        identity=conversion.identity,
        until=conversion.ts,
    )
    return person_touches(store, params)


def _conversion(store: EventStore, profile_id: str, conversion_id: str) -> ExplainedConversion:
    found = store.query(bound_sql(CONVERSION, {"profile": profile_id, "conversion": conversion_id}))
    if not found:
        raise NotFound(f"conversion {conversion_id!r} not found")
    cid, ts, visitor, kind, value, goal, revenue_type, eligible, refund_of, person = found[0]
    return ExplainedConversion(
        conversion_id=str(cid),
        ts=ts,
        person=str(person),
        goal_key=str(goal),
        revenue_type=str(revenue_type),
        attribution_eligible=bool(eligible),
        visitor_key=int(visitor or 0),
        identity=f"{kind}:{value}" if kind else "",
        refund_of=str(refund_of or ""),
    )


def _payment_of(
    store: EventStore, profile_id: str, refund: ExplainedConversion
) -> ExplainedConversion:
    """The payment a refund reduces; a refund whose payment never arrived reduces nothing."""
    try:
        return _conversion(store, profile_id, refund.refund_of)
    except NotFound:
        return replace(refund, attribution_eligible=False)


def _rule_touch(touch: PersonTouch) -> Touch:
    return Touch(
        _micros(touch.ts), touch.channel, touch.touch_type, touch.engagement_score, touch.touch_key
    )


def _micros(instant: datetime) -> int:
    return (instant - EPOCH) // timedelta(microseconds=1)


def channel_weights_sql(profile_id: str, model: Model) -> Sql:
    return Sql(
        "SELECT channel, weight FROM channel_weights WHERE profile_id = $profile AND model = $m",
        {"profile": profile_id, "m": model.value},
    )


def _channel_weights(store: EventStore, profile_id: str, model: Model) -> dict[str, float]:
    if model not in DATA_DRIVEN:
        return {}
    rows = store.query(channel_weights_sql(profile_id, model))
    return {str(channel): float(weight) for channel, weight in sorted(rows)}


def model_weights(
    model: Model, settings: AttributionSettings, channels: Mapping[str, float]
) -> dict[str, float]:
    """What the model weighs touches by (shares of 1; the half-life in days for time decay)."""
    custom = settings.weights
    fixed: dict[Model, dict[str, float]] = {
        Model.SPLIT_50_50: {"first": 0.5, "last": 0.5},
        Model.POSITION_BASED: {"first": 0.4, "middle": 0.2, "last": 0.4},
        Model.CUSTOM_WEIGHTED: {
            "first": custom.first / 100,
            "middle": custom.middle / 100,
            "last": custom.last / 100,
        },
        Model.TIME_DECAY: {"half_life_days": settings.half_life_days},
    }
    return dict(channels) if model in DATA_DRIVEN else fixed.get(model, {})


def stored_credits_sql(profile_id: str, conversion_id: str, model: Model) -> Sql:
    return Sql(
        f"SELECT touch_key, {credit_column(model)} FROM credits"
        " WHERE profile_id = $profile AND conversion_id = $conversion",
        {"profile": profile_id, "conversion": conversion_id},
    )


def _stored(
    store: EventStore, profile_id: str, conversion_id: str, model: Model
) -> dict[int, float]:
    rows = store.query(stored_credits_sql(profile_id, conversion_id, model))
    return {int(key): float(credit) for key, credit in rows}
