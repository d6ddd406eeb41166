"""A customer's touches and conversions with their credits, and why a touch got its credit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from touchline.analytics.query import bound_sql
from touchline.domain.attribution.explain import Explanation, explain
from touchline.domain.attribution.settings import AttributionSettings, Model
from touchline.domain.attribution.touches import Touch
from touchline.errors import NotFound
from touchline.processing.credit_queries import LINKS, TOUCHES, with_person
from touchline.store.base import EventStore

MINE: Final = "(SELECT * FROM conversions WHERE profile_id = $profile)"
CUSTOMER_TOUCHES: Final = f"""WITH {LINKS}, {TOUCHES}
SELECT touch_key, touch_type, ts, channel, utm_source, utm_medium, utm_campaign, campaign_id,
  engagement_score
FROM touches WHERE person = $person ORDER BY ts, touch_key"""


@dataclass(frozen=True, slots=True)
class JourneyTouch:
    touch_key: int
    touch_type: str
    ts: datetime
    channel: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    campaign_id: str
    engagement_score: int

    @property
    def is_synthetic(self) -> bool:
        return self.touch_type == "synthetic"


@dataclass(frozen=True, slots=True)
class JourneyConversion:
    conversion_id: str
    goal_key: str
    revenue_type: str
    ts: datetime
    value: Decimal | None
    credits: dict[int, float]  # touch_key → credit under the model


@dataclass(frozen=True, slots=True)
class Journey:
    customer_id: str
    touches: tuple[JourneyTouch, ...]
    conversions: tuple[JourneyConversion, ...]


def customer_journey(
    store: EventStore, *, profile_id: str, customer_id: str, model: Model
) -> Journey:
    """Every touch of every visitor linked to the customer, and its conversions with credits.
    A customer of another profile gives an empty journey (every query filters by profile)."""
    params = {"profile": profile_id, "person": customer_id}
    touches = tuple(
        JourneyTouch(int(k), str(t), ts, str(c), str(s), str(m), str(u), str(cid), int(e or 0))
        for k, t, ts, c, s, m, u, cid, e in store.query(bound_sql(CUSTOMER_TOUCHES, params))
    )
    conversions = store.query(
        bound_sql(
            f"""WITH {LINKS}, convs AS ({with_person(MINE)})
SELECT conversion_id, goal_key, revenue_type, ts, reporting_value FROM convs
WHERE person = $person ORDER BY ts, conversion_id""",
            params,
        )
    )
    ids = [str(c[0]) for c in conversions]
    shares: dict[str, dict[int, float]] = {i: {} for i in ids}
    for cid, key, credit in store.query(
        bound_sql(
            f"SELECT conversion_id, touch_key, {model.value} FROM credits"
            " WHERE profile_id = $profile AND list_contains($ids, conversion_id)",
            {"profile": profile_id, "ids": ids},
        )
    ):
        shares[str(cid)][int(key)] = float(credit)
    return Journey(
        customer_id,
        touches,
        tuple(
            JourneyConversion(str(c), str(g), str(t), ts, v, shares[str(c)])
            for c, g, t, ts, v in conversions
        ),
    )


@dataclass(frozen=True, slots=True)
class ConversionExplanation:
    conversion_id: str
    explanation: Explanation
    stored: dict[int, float]  # what the materialized credits say, touch_key → credit

    @property
    def consistent(self) -> bool:
        """The materialized credits equal the rule applied now (same settings, same touches)."""
        now = {t.test.touch.key: t.credit for t in self.explanation.touches if t.credit}
        stored = {k: v for k, v in self.stored.items() if v}
        return now.keys() == stored.keys() and all(abs(now[k] - stored[k]) < 1e-9 for k in now)


def explain_conversion(
    store: EventStore,
    *,
    profile_id: str,
    conversion_id: str,
    model: Model,
    settings: AttributionSettings,
) -> ConversionExplanation:
    """The conversion's candidate touches (in and out of the window), each window test, each
    credit under `model` and the reason."""
    params: dict[str, Any] = {"profile": profile_id, "conversion": conversion_id}
    found = store.query(
        bound_sql(
            f"""WITH {LINKS}, convs AS ({
                with_person(
                    "(SELECT * FROM conversions WHERE profile_id = $profile"
                    " AND conversion_id = $conversion)"
                )
            })
SELECT person, epoch_us(ts) FROM convs""",
            params,
        )
    )
    if not found:
        raise NotFound(f"conversion {conversion_id} not found")
    person, at = str(found[0][0]), int(found[0][1])
    touches = [
        Touch(int(epoch), str(channel), str(kind), int(score or 0), int(key))
        for key, kind, epoch, channel, score in store.query(
            bound_sql(
                f"WITH {LINKS}, {TOUCHES} SELECT touch_key, touch_type, epoch_us(ts), channel,"
                " engagement_score FROM touches"
                " WHERE person = $person AND epoch_us(ts) <= $at",
                {"profile": profile_id, "person": person, "at": at},
            )
        )
    ]
    weights = {
        str(c): float(w)
        for c, w in store.query(
            bound_sql(
                "SELECT channel, weight FROM channel_weights"
                " WHERE profile_id = $profile AND model = $m",
                {"profile": profile_id, "m": model.value},
            )
        )
    }
    stored = {
        int(k): float(v)
        for k, v in store.query(
            bound_sql(
                f"SELECT touch_key, {model.value} FROM credits"
                " WHERE profile_id = $profile AND conversion_id = $conversion",
                params,
            )
        )
    }
    explanation = explain(model, touches, at, settings, channel_weights=weights or None)
    return ConversionExplanation(conversion_id, explanation, stored)
