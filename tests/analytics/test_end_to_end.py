"""The query layer over data fed through the real ingest path (import → loader → sessions →
identity → conversions → touches → credits): revenue, channels, coverage, journeys and
explanations agree with what was sent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.attribution.journeys import T0, days, payment, visit, world

from touchline.analytics.attribution import Level
from touchline.analytics.campaigns import attribution_by
from touchline.analytics.conversions import conversion_counts
from touchline.analytics.coverage import Unconverted, coverage
from touchline.analytics.explain import explain_conversion
from touchline.analytics.journeys import customer_journey
from touchline.analytics.query import Period
from touchline.analytics.revenue import revenue_by_day
from touchline.domain.attribution.settings import AttributionSettings, Model
from touchline.ingest.protocol import Identity
from touchline.store import open_store
from touchline.store.base import EventStore, Sql

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
AD = "https://shop.example/?utm_source=facebook&utm_medium=paid&utm_campaign=spring&fbclid=z"


@dataclass(frozen=True)
class Ingested:
    store: EventStore
    profile: str
    paid: str
    cop: str
    refund: str


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ingested]:
    """One identified visitor (an ad click 40 days before, one 2 days before), three payments
    (one of a stranger, one in COP without a rate) and a refund of 20."""
    w = world(tmp_path_factory.mktemp("ingested"))
    w.send(
        visit("v1", T0 - days(40), url=AD),  # outside the 30-day click window
        visit("v1", T0, url=AD),
        visit("v1", T0 + timedelta(minutes=1), type="identify",
              identity=Identity(email="j@example.com")),
    )  # fmt: skip
    paid = payment(T0 + days(2), 90, ref="pi_a", email="j@example.com")
    lost = payment(T0 + days(2), 15, ref="pi_b", email="ghost@example.com")
    cop = payment(T0 + days(2), 50_000, ref="pi_c", email="j@example.com", currency="COP")
    refund = payment(T0 + days(3), 20, ref="re_a", name="payment_refunded", refund_of="pi_a",
                     email="j@example.com")  # fmt: skip
    w.send(paid, lost, cop, refund, origin="webhook:test")
    store = open_store(w.settings.resolved_event_store_url)
    try:
        yield Ingested(store, w.profile.profile_id, paid.event_id, cop.event_id, refund.event_id)
    finally:
        store.close()


def test_money_counts_and_coverage_of_ingested_payments(ingested: Ingested) -> None:
    store, profile = ingested.store, ingested.profile
    cov = coverage(store, profile_id=profile, period=MARCH, model=Model.LAST_TOUCH)
    assert (cov.eligible, cov.attributed, cov.attributed_pct) == (3, 2, 66.7)
    assert (cov.attributed_cash, cov.unattributed_cash) == (Decimal("90.00"), Decimal("15.00"))
    assert cov.unconverted_conversions == Unconverted(1, ("COP",))
    counts = conversion_counts(store, profile_id=profile, period=MARCH)
    assert [(c.event_type, c.count, c.unconverted) for c in counts] == [("payment_received", 3, 1)]
    money = revenue_by_day(store, profile_id=profile, period=MARCH, model=Model.LAST_TOUCH)
    assert (money.revenue, money.cash_collected, money.unconverted_payments) == (
        Decimal("70.00"),  # 90 attributed, less the 20 refunded on the same touch
        Decimal("85.00"),
        1,
    )
    [social] = attribution_by(
        store, profile_id=profile, period=MARCH, model=Model.LAST_TOUCH, level=Level.CHANNEL
    )
    assert (social.key, social.revenue, social.outcome_count) == ("Paid Social", Decimal(70), 2.0)
    [spring] = attribution_by(
        store, profile_id=profile, period=MARCH, model=Model.LAST_TOUCH, level=Level.CAMPAIGN
    )
    assert (spring.key, spring.spend, spring.roas) == ("spring", Decimal(0), None)


def test_journey_and_explanations_of_the_identified_customer(ingested: Ingested) -> None:
    store, profile = ingested.store, ingested.profile
    [(customer,)] = store.query(
        Sql("SELECT DISTINCT customer_id FROM identity_map WHERE value = 'j@example.com'")
    )
    journey = customer_journey(store, profile_id=profile, customer_id=customer, model=Model.LINEAR)
    assert [t.touch.channel for t in journey.touches] == ["Paid Social", "Paid Social"]
    assert [c.conversion_id for c in journey.conversions] == [
        ingested.paid,
        ingested.cop,
        ingested.refund,
    ]
    settings = AttributionSettings()
    first = explain_conversion(
        store, profile_id=profile, conversion_id=ingested.paid, model=Model.FIRST_TOUCH,
        settings=settings,
    )  # fmt: skip
    assert first.consistent
    assert first.explanation.touches[0].reason.startswith("touch 1 of 2")
    refund = explain_conversion(
        store, profile_id=profile, conversion_id=ingested.refund, model=Model.LAST_TOUCH,
        settings=settings,
    )  # fmt: skip
    assert refund.consistent and refund.refund_of == ingested.paid
    assert refund.explanation.touches[0].reason.startswith("outside the 30-day click window")
