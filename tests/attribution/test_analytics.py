"""The attribution query layer: cash-only money, spend and ROAS, coverage, journeys and
explanations — the spec's revenue-types example on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.attribution.journeys import T0, World, days, payment, visit, world

from touchline.analytics.attribution import (
    Level,
    attribution_by,
    conversion_counts,
    coverage,
    parse_model,
    revenue_by_day,
)
from touchline.analytics.journeys import customer_journey, explain_conversion
from touchline.analytics.query import Period
from touchline.domain.attribution.settings import AttributionSettings, Model
from touchline.errors import InvalidParameter
from touchline.ingest.protocol import Identity
from touchline.store import open_store
from touchline.store.base import EventStore, Sql
from touchline.store.schema import AD_ENTITIES, AD_INSIGHTS, CREDIT_MODELS, CREDITS, arrow_schema

P = "p-analytics"
DAY = datetime(2026, 3, 10, 15, tzinfo=UTC)
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def credit(conversion: str, revenue_type: str, value: str, **dims: Any) -> dict[str, Any]:
    row: dict[str, Any] = {c.name: "" for c in CREDITS.columns if c.type.value == "text"}
    row.update(
        profile_id=P,
        conversion_id=conversion,
        touch_key=1,
        touch_type="session",
        touch_ts=DAY,
        conversion_ts=DAY,
        position=1,
        goal_key="g",
        revenue_type=revenue_type,
        reporting_value=Decimal(value),
        version=1,
    )
    row.update(dict.fromkeys(CREDIT_MODELS, 1.0))
    row.update(dims)
    return row


def spend(entity: str, amount: str, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    entity_row = {
        "profile_id": P,
        "platform": "meta",
        "level": "campaign",
        "entity_id": entity,
        "name": name,
        "campaign_id": entity,
        "ad_set_id": "",
        "status": "ACTIVE",
        "details": "{}",
        "version": 1,
    }
    insight = {
        "profile_id": P,
        "platform": "meta",
        "level": "campaign",
        "entity_id": entity,
        "day": datetime(2026, 3, 10, tzinfo=UTC),
        "spend": Decimal(amount),
        "currency": "USD",
        "reporting_spend": Decimal(amount),
        "impressions": 1000,
        "clicks": 10,
        "reach": 900,
        "version": 1,
    }
    return entity_row, insight


def load(store: EventStore, credits: list[dict[str, Any]], entities: list[Any]) -> None:
    store.append("credits", pa.Table.from_pylist(credits, schema=arrow_schema(CREDITS.columns)))
    store.append(
        "ad_entities",
        pa.Table.from_pylist([e for e, _ in entities], schema=arrow_schema(AD_ENTITIES.columns)),
    )
    store.append(
        "ad_insights",
        pa.Table.from_pylist([i for _, i in entities], schema=arrow_schema(AD_INSIGHTS.columns)),
    )


def test_roas_uses_cash_only_the_spec_example_says_3_not_28(event_store: EventStore) -> None:
    load(
        event_store,
        [
            credit("pay", "cash", "6000", campaign_id="cmp1", channel="Paid Social"),
            credit("deal", "pipeline", "50000", campaign_id="cmp1", channel="Paid Social"),
        ],
        [spend("cmp1", "2000", "Spring sale")],
    )
    [row] = attribution_by(
        event_store, profile_id=P, period=MARCH, model=Model.LINEAR, level=Level.CAMPAIGN
    )
    assert (row.key, row.name, row.revenue, row.spend) == (
        "cmp1",
        "Spring sale",
        Decimal("6000.00"),
        Decimal("2000.00"),
    )
    assert row.roas == 3.0
    assert row.pipeline_value == Decimal("50000.00")
    assert row.outcome_count == 2.0  # every revenue type counts as an outcome
    assert row.cac == Decimal("1000.00")


def test_a_campaign_seen_only_in_utms_is_a_row_with_zero_spend(event_store: EventStore) -> None:
    load(
        event_store,
        [
            credit("a", "cash", "10", utm_campaign="newsletter-may", channel="Email"),
            credit("b", "cash", "5", utm_campaign="Spring sale", channel="Paid Social"),
        ],
        [spend("cmp1", "100", "Spring sale"), spend("cmp2", "40", "Idle campaign")],
    )
    rows = {
        r.key: r
        for r in attribution_by(
            event_store, profile_id=P, period=MARCH, model=Model.LAST_TOUCH, level=Level.CAMPAIGN
        )
    }
    assert rows["newsletter-may"].spend == 0 and rows["newsletter-may"].roas is None
    assert rows["cmp1"].revenue == Decimal("5.00")  # resolved by name (§9 #26)
    assert rows["cmp2"].revenue == 0 and rows["cmp2"].spend == Decimal("40.00")


@settings(max_examples=25, deadline=None)
@given(
    mix=st.lists(
        st.tuples(st.sampled_from(["cash", "pipeline", "gross"]), st.integers(1, 10_000)),
        min_size=1,
        max_size=8,
    )
)
def test_money_fields_never_include_pipeline_or_gross(
    tmp_path_factory: pytest.TempPathFactory, mix: list[tuple[str, int]]
) -> None:
    store = open_store(f"duckdb://{tmp_path_factory.mktemp('m') / 'e.duckdb'}")
    try:
        store.migrate()
        load(
            store, [credit(f"c{i}", t, str(v), channel="Email") for i, (t, v) in enumerate(mix)], []
        )
        [row] = attribution_by(
            store, profile_id=P, period=MARCH, model=Model.LINEAR, level=Level.CHANNEL
        )
        cash = sum(v for t, v in mix if t == "cash")
        assert row.revenue == Decimal(cash)
        [day] = [
            d
            for d in revenue_by_day(store, profile_id=P, period=MARCH, model=Model.LINEAR)
            if d.day == date(2026, 3, 10)
        ]
        assert day.revenue == Decimal(cash)
    finally:
        store.close()


def test_unknown_models_name_the_parameter() -> None:
    assert parse_model(None) is Model.LAST_TOUCH
    assert parse_model("markov") is Model.MARKOV
    with pytest.raises(InvalidParameter, match="model must be one of"):
        parse_model("magic")


def test_journey_coverage_and_explanation_from_ingested_events(tmp_path: Path) -> None:
    w: World = world(tmp_path)
    ad = "https://shop.example/?utm_source=facebook&utm_medium=paid&utm_campaign=spring&fbclid=z"
    w.send(
        visit("v1", T0 - days(40), url=ad),  # outside the 30-day click window
        visit("v1", T0, url=ad),
        visit(
            "v1",
            T0 + timedelta(minutes=1),
            type="identify",
            identity=Identity(email="j@example.com"),
        ),
    )
    paid = payment(T0 + days(2), 90, ref="pi_a", email="j@example.com")
    lost = payment(T0 + days(2), 15, ref="pi_b", email="ghost@example.com")
    cop = payment(T0 + days(2), 50_000, ref="pi_c", email="j@example.com", currency="COP")
    w.send(paid, lost, cop, origin="webhook:test")

    store = open_store(w.settings.resolved_event_store_url)
    try:
        march = Period(date(2026, 3, 1), date(2026, 3, 31))
        cov = coverage(store, profile_id=w.profile.profile_id, period=march)
        assert (cov.eligible, cov.attributed) == (3, 2)
        assert cov.attributable_coverage_pct == 66.7
        assert cov.unattributed_cash == Decimal("15.00")
        assert (cov.unconverted, cov.unconverted_currencies) == (1, ("COP",))
        counts = conversion_counts(store, profile_id=w.profile.profile_id, period=march)
        assert [(c.goal_key, c.count) for c in counts] == [("payment_received", 3)]

        [customer] = store.query(
            Sql("SELECT DISTINCT customer_id FROM identity_map WHERE value = 'j@example.com'")
        )
        journey = customer_journey(
            store, profile_id=w.profile.profile_id, customer_id=customer[0], model=Model.LAST_TOUCH
        )
        assert [t.channel for t in journey.touches] == ["Paid Social", "Paid Social"]
        assert len(journey.conversions) == 2
        other = customer_journey(
            store, profile_id="another-profile", customer_id=customer[0], model=Model.LAST_TOUCH
        )
        assert other.touches == () and other.conversions == ()

        why = explain_conversion(
            store,
            profile_id=w.profile.profile_id,
            conversion_id=paid.event_id,
            model=Model.FIRST_TOUCH,
            settings=AttributionSettings(),
        )
        assert why.consistent
        reasons = [t.reason for t in why.explanation.touches]
        assert reasons[0].startswith("touch 1 of 2") and "100.0%" in reasons[0]
        short = explain_conversion(
            store,
            profile_id=w.profile.profile_id,
            conversion_id=paid.event_id,
            model=Model.LAST_TOUCH,
            settings=AttributionSettings(),
        )
        assert short.explanation.touches[0].reason.startswith("outside the 30-day click window")
    finally:
        store.close()
