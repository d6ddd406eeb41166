"""Attribution coverage under a model, and what could not be valued, on both engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.analytics.rows import P, conversion, credit, insight, load

from touchline.analytics.coverage import Coverage, Unconverted, coverage
from touchline.analytics.query import Period
from touchline.domain.attribution.settings import Model
from touchline.store.base import EventStore

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
FIRST_WINDOW_ONLY = {m.value: 0.0 for m in Model} | {"first_touch": 1.0}


def seed(store: EventStore) -> None:
    load(
        store,
        conversions=[
            conversion("paid", value="100"),
            conversion("old-touch", value="60"),
            conversion("lost", value="15"),
            conversion("lead", goal_key="lead_created", revenue_type="pipeline"),
            conversion("refund", value="-100", refund_of="paid"),
            conversion("skip", value="5", attribution_eligible=False),
            conversion("cop", value="50000", currency="COP", reporting=None),
        ],
        credits=[
            credit("paid", "cash", "100"),
            credit("old-touch", "cash", "60", shares=FIRST_WINDOW_ONLY),
            credit("lead", "pipeline", None),
            credit("refund", "cash", "-100"),
        ],
        insights=[
            insight("campaign", "m1", date(2026, 3, 3), "10"),
            insight("campaign", "m2", date(2026, 3, 3), "80", reporting=None) | {"currency": "ARS"},
            insight("ad", "m2-ad", date(2026, 3, 3), "80", reporting=None) | {"currency": "ARS"},
        ],
    )


def test_attributed_means_a_positive_share_under_the_model(event_store: EventStore) -> None:
    seed(event_store)
    last = coverage(event_store, profile_id=P, period=MARCH, model=Model.LAST_TOUCH)
    assert (last.eligible, last.attributed, last.unattributed) == (5, 2, 3)
    assert (last.attributed_cash, last.unattributed_cash) == (Decimal("100.00"), Decimal("75.00"))
    assert last.attributed_pct == 40.0
    first = coverage(event_store, profile_id=P, period=MARCH, model=Model.FIRST_TOUCH)
    assert (first.attributed, first.attributed_cash) == (3, Decimal("160.00"))
    assert first.attributed_pct == 60.0


def test_values_without_a_rate_are_reported_never_zero(event_store: EventStore) -> None:
    seed(event_store)
    found = coverage(event_store, profile_id=P, period=MARCH, model=Model.LINEAR)
    assert found.unconverted_conversions == Unconverted(1, ("COP",))
    assert found.unconverted_spend == Unconverted(2, ("ARS",))


def test_an_empty_period_has_zero_coverage_not_an_error(event_store: EventStore) -> None:
    found = coverage(event_store, profile_id=P, period=MARCH, model=Model.LINEAR)
    assert (found.eligible, found.attributed, found.attributed_pct) == (0, 0, 0.0)
    assert found.unconverted_conversions == Unconverted()


def test_the_percentage_comes_from_raw_counts_rounded_once() -> None:
    empty = Unconverted()
    zero = Decimal(0)
    share = Coverage(Model.LINEAR, 409, 350, zero, zero, empty, empty)
    assert share.attributed_pct == 85.6  # 85.57…, not a sum of rounded parts (§9 #42)
    assert Coverage(Model.LINEAR, 3, 2, zero, zero, empty, empty).attributed_pct == 66.7
