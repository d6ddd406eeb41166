"""Overview, timeseries, breakdowns and their filters on both engines, over the shop's March fed
through the real ingest path (tests/analytics/shop_traffic.py has the hand-counted story)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.analytics.shop_traffic import Shop, shop

from touchline.analytics.breakdowns import breakdown
from touchline.analytics.filters import Dimension, Filter, Operator, parse_filters
from touchline.analytics.overview import Kpis, kpis, previous_period
from touchline.analytics.query import Period
from touchline.analytics.segments import EVERYTHING, Segment, matches
from touchline.analytics.timeseries import timeseries
from touchline.domain.attribution.settings import Model

__all__ = ["shop"]
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def segment(**filters: str) -> Segment:
    return Segment.of(parse_filters([(f"filter[{k}]", v) for k, v in filters.items()]))


def march(shop: Shop, seg: Segment = EVERYTHING, model: Model = Model.LAST_TOUCH) -> Kpis:
    return kpis(shop.store, profile_id=shop.profile_id, period=MARCH, segment=seg, model=model)


def summary(k: Kpis) -> tuple[object, ...]:
    return (k.visits.visitors, k.visits.visits, k.visits.pageviews, k.visits.bounces,
            k.credited.revenue, k.credited.conversions, k.outcomes.outcomes,
            k.outcomes.attributed, k.cash.revenue, k.cash.payments, k.spend)  # fmt: skip


def test_unfiltered_march(shop: Shop) -> None:
    k = march(shop)
    # 100 paid less 20 refunded on ana's ad visit; the stranger's 50 is unattributed cash.
    assert summary(k) == (3, 4, 5, 2, Decimal("80.00"), 2.0, 3, 2, Decimal("130.00"), 2,
                          Decimal("50.00"))  # fmt: skip
    assert (k.roas, k.outcomes.coverage_percent, k.visits.bounce_rate) == (1.6, 66.67, 50.0)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"channel": "is:Paid Social"},
         (2, 2, 3, 0, Decimal("80.00"), 2.0, 2, 2, Decimal("80.00"), 1, Decimal("40.00"))),
        ({"channel": "is_not:Paid Social"},
         (1, 2, 2, 2, Decimal("0.00"), 0.0, 0, 0, Decimal("0.00"), 0, Decimal("10.00"))),
        ({"page": "contains:PRICING"},  # ana's ad visit and ben's second: viewed /pricing
         (2, 2, 3, 1, Decimal("80.00"), 1.0, 1, 1, Decimal("80.00"), 1, Decimal("50.00"))),
        ({"page": "is_not:/pricing"},  # visits that never viewed it
         (2, 2, 2, 1, Decimal("0.00"), 1.0, 1, 1, Decimal("0.00"), 0, Decimal("50.00"))),
        ({"goal": "is:lead_created"},
         (1, 1, 1, 0, Decimal("0.00"), 1.0, 1, 1, Decimal("0.00"), 0, Decimal("50.00"))),
        ({"goal": "is:payment_received", "entry_page": "is:/"},
         (1, 1, 2, 0, Decimal("80.00"), 1.0, 1, 1, Decimal("80.00"), 1, Decimal("50.00"))),
        ({"campaign": "contains:o'brien; drop"},
         (1, 1, 1, 0, Decimal("0.00"), 1.0, 1, 1, Decimal("0.00"), 0, Decimal("0.00"))),
        ({"campaign": "is:spring"},  # spend: Meta campaign c1 is named spring
         (1, 1, 2, 0, Decimal("80.00"), 1.0, 1, 1, Decimal("80.00"), 1, Decimal("40.00"))),
        ({"referrer": "is:(none)", "device": "is:desktop"},
         (3, 3, 4, 1, Decimal("80.00"), 2.0, 2, 2, Decimal("80.00"), 1, Decimal("50.00"))),
        ({"page": "contains:ÑANDÚ"},
         (1, 1, 1, 1, Decimal("0.00"), 0.0, 0, 0, Decimal("0.00"), 0, Decimal("50.00"))),
        ({"city": "is:'; DROP TABLE sessions;--"},
         (0, 0, 0, 0, Decimal("0.00"), 0.0, 0, 0, Decimal("0.00"), 0, Decimal("50.00"))),
    ],
)  # fmt: skip
def test_filters_restrict_the_sessions_counted(
    shop: Shop, filters: dict[str, str], expected: tuple[object, ...]
) -> None:
    assert summary(march(shop, segment(**filters))) == expected


def test_timeseries_counts_visits_and_cash_on_their_local_day(shop: Shop) -> None:
    days = timeseries(shop.store, profile_id=shop.profile_id, segment=EVERYTHING,
                      period=Period(date(2026, 3, 10), date(2026, 3, 13)))  # fmt: skip
    assert [(d.visits.visitors, d.visits.pageviews, d.visits.bounces, d.cash.revenue, d.spend)
            for d in days] == [
        (2, 3, 1, Decimal("0.00"), Decimal("40.00")),
        (2, 2, 1, Decimal("0.00"), Decimal("10.00")),
        (0, 0, 0, Decimal("150.00"), Decimal("0.00")),
        (0, 0, 0, Decimal("-20.00"), Decimal("0.00")),
    ]  # fmt: skip


def rows(shop: Shop, dimension: Dimension, seg: Segment = EVERYTHING) -> list[tuple[object, ...]]:
    found = breakdown(shop.store, profile_id=shop.profile_id, period=MARCH, segment=seg,
                      dimension=dimension, model=Model.LAST_TOUCH, limit=100)  # fmt: skip
    return [(r.value, r.visits.visitors, r.visits.visits, r.visits.pageviews,
             r.visits.bounce_rate, r.conversions, r.conversion_rate, r.revenue)
            for r in found]  # fmt: skip


def test_pages_count_their_own_views_and_credit_landing_visits(shop: Shop) -> None:
    assert rows(shop, Dimension.PAGE) == [
        ("/", 2, 2, 2, 0.0, 2.0, 100.0, Decimal("80.00")),
        ("/pricing", 2, 2, 2, 50.0, 0.0, 0.0, Decimal("0.00")),
        ("/blog/ñandú", 1, 1, 1, 100.0, 0.0, 0.0, Decimal("0.00")),
    ]


def test_every_dimension_breaks_down(shop: Shop) -> None:
    firsts = {dimension: rows(shop, dimension)[0][:3] for dimension in Dimension}
    assert firsts == {
        Dimension.CHANNEL: ("Paid Social", 2, 2), Dimension.REFERRER: ("(none)", 3, 3),
        Dimension.CAMPAIGN: ("(none)", 1, 2), Dimension.PAGE: ("/", 2, 2),
        Dimension.ENTRY_PAGE: ("/", 2, 2), Dimension.EXIT_PAGE: ("/", 2, 2),
        Dimension.COUNTRY: ("GB", 3, 4), Dimension.REGION: ("England", 3, 4),
        Dimension.CITY: ("London", 3, 4), Dimension.BROWSER: ("Chrome", 3, 4),
        Dimension.OS: ("Windows", 3, 4), Dimension.DEVICE: ("desktop", 3, 4),
        Dimension.GOAL: ("payment_received", 1, 1),
    }  # fmt: skip


def test_a_filtered_breakdown(shop: Shop) -> None:
    assert rows(shop, Dimension.CHANNEL, segment(page="contains:pricing")) == [
        ("Paid Social", 1, 1, 2, 0.0, 1.0, 100.0, Decimal("80.00")),
        ("Direct", 1, 1, 1, 100.0, 0.0, 0.0, Decimal("0.00")),
    ]


def test_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    cases = {
        (date(2026, 3, 1), date(2026, 3, 25)): (date(2026, 2, 4), date(2026, 2, 28)),
        (date(2024, 3, 1), date(2024, 3, 25)): (date(2024, 2, 5), date(2024, 2, 29)),
        (date(2026, 1, 10), date(2026, 2, 9)): (date(2025, 12, 10), date(2026, 1, 9)),
        (date(2026, 3, 1), date(2026, 3, 1)): (date(2026, 2, 28), date(2026, 2, 28)),
    }
    for (first, last), expected in cases.items():
        previous = previous_period(Period(first, last, "America/Bogota"))
        assert (previous.date_from, previous.date_to) == expected
        assert previous.timezone == "America/Bogota"


def test_a_repeated_dimension_keeps_the_last_and_affiliates_is_affiliate() -> None:
    parsed = segment(channel="is:Direct")
    repeated = Segment.of([*parsed.filters, Filter(Dimension.CHANNEL, Operator.IS, "Affiliates")])
    assert repeated.filters == (Filter(Dimension.CHANNEL, Operator.IS, "Affiliate"),)


def test_the_python_matcher_reads_filters_as_the_sql_does() -> None:
    contains = Filter(Dimension.CAMPAIGN, Operator.CONTAINS, "SPRÍNG")
    assert matches(contains, ["c1", "Big spríng sale"])
    assert not matches(Filter(Dimension.CAMPAIGN, Operator.NOT_CONTAINS, "sprí"), ["c1", "sprín"])
    assert matches(Filter(Dimension.CHANNEL, Operator.IS_NOT, "Direct"), ["direct"])
    assert not matches(Filter(Dimension.CHANNEL, Operator.IS, "Paid Social"), ["paid social"])
