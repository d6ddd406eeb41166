"""Attribution by channel, campaign, ad set and ad on both engines: cash-only money, outcomes of
every revenue type, spend and delivery, entity resolution by id or name (§9 #26)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.analytics.rows import DAY, P, conversion, credit, entity, insight, load

from touchline.analytics.attribution import Level
from touchline.analytics.campaigns import AttributionRow, attribution_by
from touchline.analytics.query import Period
from touchline.analytics.revenue import revenue_by_day
from touchline.domain.attribution.settings import Model
from touchline.domain.money import cents
from touchline.store import open_store
from touchline.store.base import EventStore

ZERO = Decimal("0.00")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def rows(
    store: EventStore, level: Level, model: Model = Model.LAST_TOUCH
) -> dict[str, AttributionRow]:
    found = attribution_by(store, profile_id=P, period=MARCH, model=model, level=level)
    return {row.key: row for row in found}


def test_roas_is_cash_over_spend_the_spec_example_says_3_not_28(event_store: EventStore) -> None:
    spring: dict[str, Any] = {"utm_campaign": "cmp1", "channel": "Paid Social"}
    load(
        event_store,
        credits=[
            credit("pay1", "cash", "2000", **spring),
            credit("pay2", "cash", "2500", **spring),
            credit("pay3", "cash", "1500", **spring),
            credit("deal", "pipeline", "50000", **spring),
        ],
        entities=[entity("campaign", "cmp1", "Spring sale")],
        insights=[
            insight("campaign", "cmp1", date(2026, 3, 9), "1200"),
            insight("campaign", "cmp1", date(2026, 3, 10), "800"),
        ],
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
    assert row.outcomes.pipeline_value == Decimal("50000.00")
    assert (row.outcomes.cash, row.outcomes.pipeline, row.outcome_count) == (3.0, 1.0, 4.0)
    assert row.cac == Decimal("500.00")  # spend / outcome_count (§9 #18)


# The same ad reached by an id-based UTM template, a name-based one and ad ids on a synthetic
# touch (§9 #26); a newsletter seen only in UTMs; a visit with no campaign at all.
BY_ID: dict[str, Any] = {"utm_campaign": "c1", "utm_term": "s1", "utm_content": "a1"}
BY_NAME: dict[str, Any] = {"utm_campaign": "Spring", "utm_term": "Broad", "utm_content": "Video"}
BY_AD_IDS: dict[str, Any] = {"campaign_id": "c1", "ad_set_id": "s1", "ad_id": "a1"}
NEWSLETTER: dict[str, Any] = {
    "utm_campaign": "newsletter-may",
    "utm_term": "shoes",
    "utm_content": "header",
}


def seed_one_ad_three_ways(store: EventStore) -> None:
    load(
        store,
        credits=[
            credit("x1", "cash", "10", **BY_ID),
            credit("x2", "cash", "20", **BY_NAME),
            credit("x3", "pipeline", "30", touch_type="synthetic", **BY_AD_IDS),
            credit("x4", "cash", "5", **NEWSLETTER),
            credit("x5", "cash", "7", channel="Direct"),
        ],
        entities=[
            entity("campaign", "c1", "Spring"),
            entity("ad_set", "s1", "Broad", campaign_id="c1"),
            entity("ad", "a1", "Video", campaign_id="c1", ad_set_id="s1"),
        ],
    )


def test_touches_resolve_to_campaigns_by_id_or_name_and_utm_only_campaigns_are_rows(
    event_store: EventStore,
) -> None:
    seed_one_ad_three_ways(event_store)
    campaigns = rows(event_store, Level.CAMPAIGN)
    assert sorted(campaigns) == ["c1", "newsletter-may"]
    assert (campaigns["c1"].revenue, campaigns["c1"].outcome_count) == (Decimal("30.00"), 3.0)
    assert campaigns["c1"].outcomes.pipeline_value == Decimal("30.00")
    utm_only = campaigns["newsletter-may"]
    assert (utm_only.name, utm_only.spend, utm_only.roas) == ("newsletter-may", ZERO, None)
    assert utm_only.entity.platform == ""


def test_ad_sets_and_ads_resolve_the_same_way_and_keywords_are_no_ad_sets(
    event_store: EventStore,
) -> None:
    seed_one_ad_three_ways(event_store)
    ad_sets, ads = rows(event_store, Level.AD_SET), rows(event_store, Level.AD)
    assert sorted(ad_sets) == ["s1"] and sorted(ads) == ["a1"]
    assert (ad_sets["s1"].name, ad_sets["s1"].entity.parent_name) == ("Broad", "Spring")
    assert (ads["a1"].name, ads["a1"].entity.parent_name, ads["a1"].outcome_count) == (
        "Video",
        "Broad",
        3.0,
    )


def test_entities_with_spend_but_no_conversions_are_rows_with_delivery_metrics(
    event_store: EventStore,
) -> None:
    details = {"objective": "OUTCOME_SALES", "daily_budget": 25.5}
    load(
        event_store,
        entities=[
            entity("campaign", "c2", "Idle", details=details, status="PAUSED"),
            entity("campaign", "c3", "Broken details") | {"details": "{not json"},
        ],
        insights=[
            insight("campaign", "c2", date(2026, 3, 2), "30", impressions=600, clicks=8, reach=500),
            insight(
                "campaign", "c2", date(2026, 3, 3), "10", impressions=400, clicks=12, reach=300
            ),
            insight("campaign", "c2", date(2026, 4, 1), "99", impressions=1),  # after the period
            insight("campaign", "c3", date(2026, 3, 3), "5"),
        ],
    )
    found = rows(event_store, Level.CAMPAIGN)
    idle = found["c2"]
    assert (idle.spend, idle.revenue, idle.outcome_count) == (Decimal("40.00"), ZERO, 0.0)
    assert (idle.roas, idle.cac) == (0.0, None)  # no outcome: no acquisition cost
    assert (idle.delivery.impressions, idle.delivery.clicks, idle.delivery.reach) == (1000, 20, 800)
    assert (idle.ctr, idle.avg_cpm, idle.avg_cpc) == (2.0, Decimal("40.00"), Decimal("2.00"))
    assert (idle.entity.status, idle.entity.objective) == ("PAUSED", "OUTCOME_SALES")
    assert idle.entity.daily_budget == Decimal("25.50")
    assert found["c3"].entity.daily_budget is None and found["c3"].ctr is None
    assert [r.key for r in attribution_by(
        event_store, profile_id=P, period=MARCH, model=Model.LAST_TOUCH, level=Level.CAMPAIGN
    )] == ["c2", "c3"]  # ranked by cash, outcomes, then spend  # fmt: skip


def test_channel_rows_take_spend_by_platform_from_campaign_insights(
    event_store: EventStore,
) -> None:
    load(
        event_store,
        credits=[
            credit("p1", "cash", "90", channel="Paid Social"),
            credit("p2", "gross", "40", channel="Organic Search"),
        ],
        insights=[
            insight("campaign", "m1", date(2026, 3, 5), "30"),
            insight("ad", "m1-ad", date(2026, 3, 5), "30"),  # the same money, one level down
            insight("campaign", "g1", date(2026, 3, 5), "12", platform="google_ads"),
        ],
    )
    found = rows(event_store, Level.CHANNEL)
    assert sorted(found) == ["Organic Search", "Paid Search", "Paid Social"]
    assert (found["Paid Social"].spend, found["Paid Social"].roas) == (Decimal("30.00"), 3.0)
    assert (found["Paid Search"].spend, found["Paid Search"].revenue) == (Decimal("12.00"), ZERO)
    organic = found["Organic Search"]
    assert (organic.revenue, organic.outcomes.gross_value, organic.outcome_count) == (
        ZERO,
        Decimal("40.00"),
        1.0,
    )


def test_refunds_reduce_cash_but_are_not_outcomes(event_store: EventStore) -> None:
    load(
        event_store,
        credits=[
            credit("pay", "cash", "100", channel="Email"),
            credit("refund", "cash", "-30", channel="Email"),
        ],
        conversions=[
            conversion("pay", value="100"),
            conversion("refund", value="-30", refund_of="pay", event_name="payment_refunded"),
        ],
    )
    [email] = rows(event_store, Level.CHANNEL).values()
    assert (email.revenue, email.outcome_count) == (Decimal("70.00"), 1.0)


def test_every_model_reads_its_own_credit_column(event_store: EventStore) -> None:
    shares = {m.value: (i + 1) / 16 for i, m in enumerate(Model)}
    load(
        event_store,
        credits=[
            credit("c", "cash", "160", shares=shares, channel="Email", touch_key=1),
            credit("c", "cash", "160", shares={m: 1 - s for m, s in shares.items()},
                   channel="Referral", touch_key=2),
        ],
    )  # fmt: skip
    for i, model in enumerate(Model):
        found = rows(event_store, Level.CHANNEL, model)
        assert found["Email"].revenue == Decimal(10 * (i + 1)), model
        assert found["Email"].outcome_count == (i + 1) / 16, model
        assert found["Referral"].revenue == Decimal(160 - 10 * (i + 1)), model


def test_credits_outside_the_period_or_profile_do_not_count(event_store: EventStore) -> None:
    load(
        event_store,
        credits=[
            credit("in", "cash", "5", channel="Email"),
            credit("april", "cash", "7", channel="Email", conversion_ts=DAY.replace(month=4)),
            credit("other", "cash", "9", channel="Email", profile_id="someone-else"),
        ],
    )
    assert rows(event_store, Level.CHANNEL)["Email"].revenue == Decimal("5.00")


@settings(max_examples=30, deadline=None)
@given(
    mix=st.lists(
        st.tuples(
            st.sampled_from(["cash", "pipeline", "gross"]),
            st.decimals(min_value=-500, max_value=100_000, places=2),
            st.sampled_from([1.0, 0.5, 0.25, 1 / 3]),
        ),
        min_size=1,
        max_size=10,
    ),
    spend=st.integers(0, 5_000),
)
def test_money_fields_never_include_pipeline_or_gross(
    tmp_path_factory: pytest.TempPathFactory,
    mix: list[tuple[str, Decimal, float]],
    spend: int,
) -> None:
    store = open_store(f"duckdb://{tmp_path_factory.mktemp('mix') / 'events.duckdb'}")
    try:
        store.migrate()
        load(
            store,
            credits=[
                credit(f"c{i}", kind, str(value), share=part, utm_campaign="cmp", channel="Email")
                for i, (kind, value, part) in enumerate(mix)
            ],
            insights=[insight("campaign", "cmp", date(2026, 3, 10), str(spend))],
        )
        [row] = attribution_by(
            store, profile_id=P, period=MARCH, model=Model.LINEAR, level=Level.CAMPAIGN
        )
        expected = {
            kind: cents(sum((v * Decimal(repr(p)) for k, v, p in mix if k == kind), Decimal(0)))
            for kind in ("cash", "pipeline", "gross")
        }
        assert row.revenue == expected["cash"]
        assert (row.outcomes.pipeline_value, row.outcomes.gross_value) == (
            expected["pipeline"],
            expected["gross"],
        )
        assert row.roas == (round(float(expected["cash"] / spend), 2) if spend else None)
        assert row.outcome_count == pytest.approx(sum(p for _, _, p in mix))
        days = revenue_by_day(store, profile_id=P, period=MARCH, model=Model.LINEAR)
        assert days.revenue == expected["cash"]
    finally:
        store.close()
