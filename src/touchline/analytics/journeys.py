"""A customer's journey: the touches of every visitor and identifier linked to the customer
(visits, synthetic and impression touches) and the customer's conversions, each with its
credits under a model. Every query filters by profile, so a customer id of another profile
gives an empty journey (BOLA-safe by construction).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from touchline.analytics.attribution import credit_column
from touchline.analytics.campaigns import campaign_names
from touchline.analytics.query import bound_sql
from touchline.analytics.revenue import source_of
from touchline.analytics.touches import MINE, OWNED, PersonTouch, person_params, person_touches
from touchline.domain.attribution.settings import Model
from touchline.processing.credit_queries import with_person
from touchline.store.base import EventStore, Sql

FOREVER: Final = datetime(9999, 12, 31, tzinfo=UTC)

# `value` is renamed: the identity links joined in `with_person` have a `value` column too.
PERSON_CONVERSIONS: Final = f"""WITH {MINE},
conv_src AS (
  SELECT conversion_id, goal_key, event_name, revenue_type, attribution_eligible, ts,
    value AS amount, currency, reporting_value, fx_status, refund_of, origin, visitor_key,
    identity_kind, identity_value
  FROM conversions WHERE profile_id = $profile AND {OWNED}
)
SELECT conversion_id, goal_key, event_name, revenue_type, attribution_eligible, ts, amount,
  currency, reporting_value, fx_status, refund_of, origin
FROM ({with_person("conv_src")}) AS c
WHERE person = $person
ORDER BY ts, conversion_id"""


@dataclass(frozen=True, slots=True)
class JourneyTouch:
    touch: PersonTouch
    campaign: str  # the campaign's name when an ad entity matches, else its id or UTM value


@dataclass(frozen=True, slots=True)
class JourneyConversion:
    conversion_id: str
    goal_key: str
    event_name: str
    revenue_type: str
    attribution_eligible: bool
    ts: datetime
    value: Decimal | None  # in `currency`; negative for refunds and chargebacks
    currency: str
    reporting_value: Decimal | None  # None when unconverted (fx_status says why)
    fx_status: str
    refund_of: str  # the payment a refund reduces
    source: str  # payment provider or origin (stripe, mercadopago, tracker, import, …)
    credits: Mapping[int, float]  # touch_key → share under the model; empty when unattributed

    @property
    def attributed(self) -> bool:
        return bool(self.credits)


@dataclass(frozen=True, slots=True)
class Journey:
    customer_id: str
    model: Model
    touches: tuple[JourneyTouch, ...]
    conversions: tuple[JourneyConversion, ...]


def customer_journey(
    store: EventStore, *, profile_id: str, customer_id: str, model: Model
) -> Journey:
    """Touches and conversions oldest first (ties by key)."""
    params = person_params(profile_id, customer_id, until=FOREVER)
    touches = person_touches(store, params)
    names = campaign_names(
        store, profile_id=profile_id, values=[t.campaign_id or t.utm_campaign for t in touches]
    )
    rows = store.query(bound_sql(PERSON_CONVERSIONS, params))
    shares = _credits(store, profile_id, model, [str(r[0]) for r in rows])
    return Journey(
        customer_id=customer_id,
        model=model,
        touches=tuple(JourneyTouch(t, _campaign(t, names)) for t in touches),
        conversions=tuple(_conversion(row, shares.get(str(row[0]), {})) for row in rows),
    )


def _campaign(touch: PersonTouch, names: Mapping[str, str]) -> str:
    value = touch.campaign_id or touch.utm_campaign
    return names.get(value, value)


def credits_sql(profile_id: str, model: Model, conversion_ids: list[str]) -> Sql:
    column = credit_column(model)
    return bound_sql(
        f"""SELECT conversion_id, touch_key, {column} FROM credits
WHERE profile_id = $profile AND list_contains($ids, conversion_id) AND {column} > 0""",
        {"profile": profile_id, "ids": conversion_ids},
    )


def _credits(
    store: EventStore, profile_id: str, model: Model, conversion_ids: list[str]
) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    if not conversion_ids:
        return out
    for conversion_id, touch_key, credit in store.query(
        credits_sql(profile_id, model, conversion_ids)
    ):
        out.setdefault(str(conversion_id), {})[int(touch_key)] = float(credit)
    return out


def _conversion(row: tuple[Any, ...], credits: dict[int, float]) -> JourneyConversion:
    cid, goal, name, kind, eligible, ts, value, currency, reporting, status, refund, origin = row
    return JourneyConversion(
        conversion_id=str(cid),
        goal_key=str(goal),
        event_name=str(name or ""),
        revenue_type=str(kind),
        attribution_eligible=bool(eligible),
        ts=ts,
        value=None if value is None else Decimal(value),
        currency=str(currency or ""),
        reporting_value=None if reporting is None else Decimal(reporting),
        fx_status=str(status or ""),
        refund_of=str(refund or ""),
        source=source_of(str(origin or "")),
        credits=credits,
    )
