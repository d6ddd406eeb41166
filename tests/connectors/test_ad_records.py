"""Ad records: the roll-up of a file's finest rows into the levels it lacks keeps every level's
money equal to the ads' (so a report reading any one level counts it once)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.connectors.ad_records import ROLLED_UP, AdInsight, roll_up
from touchline.domain.records import AdLevel, AdPlatform

DAY = date(2026, 10, 5)


def ad(
    ad_id: str,
    ad_set: str,
    campaign: str,
    spend: str,
    day: date = DAY,
    *,
    reach: int = 0,
    clicks: int = 0,
) -> AdInsight:
    return AdInsight(
        platform=AdPlatform.META,
        level=AdLevel.AD,
        entity_id=ad_id,
        day=day,
        spend=Decimal(spend),
        currency="EUR",
        campaign_id=campaign,
        ad_set_id=ad_set,
        reach=reach,
        clicks=clicks,
    )


def test_ads_roll_up_into_their_ad_sets_and_campaigns_per_day() -> None:
    rows = roll_up(
        [
            ad("a1", "s1", "c1", "1.10", reach=10, clicks=1),
            ad("a2", "s1", "c1", "2.20", reach=20, clicks=2),
            ad("a3", "s2", "c1", "3.30", reach=30),
            ad("a1", "s1", "c1", "4.00", day=DAY + timedelta(days=1)),
        ]
    )
    summed = {
        (r.level, r.entity_id, r.day): (r.spend, r.reach, r.clicks)
        for r in rows
        if r.level is not AdLevel.AD
    }
    assert summed == {
        (AdLevel.AD_SET, "s1", DAY): (Decimal("3.30"), 30, 3),
        (AdLevel.AD_SET, "s2", DAY): (Decimal("3.30"), 30, 0),
        (AdLevel.AD_SET, "s1", DAY + timedelta(days=1)): (Decimal("4.00"), 0, 0),
        (AdLevel.CAMPAIGN, "c1", DAY): (Decimal("6.60"), 60, 3),
        (AdLevel.CAMPAIGN, "c1", DAY + timedelta(days=1)): (Decimal("4.00"), 0, 0),
    }
    campaign = next(r for r in rows if r.level is AdLevel.CAMPAIGN)
    assert (campaign.campaign_id, campaign.ad_set_id, dict(campaign.metrics)) == (
        "c1",
        "",
        {ROLLED_UP: "ad_set"},
    )


def test_levels_the_file_has_are_not_rolled_up_again() -> None:
    campaign = AdInsight(
        platform=AdPlatform.META,
        level=AdLevel.CAMPAIGN,
        entity_id="c1",
        day=DAY,
        spend=Decimal("9"),
        currency="EUR",
        campaign_id="c1",
    )
    rows = roll_up([campaign, ad("a1", "s1", "c1", "5")])
    assert sorted((r.level.value, r.spend) for r in rows) == [
        ("ad", Decimal("5")),
        ("ad_set", Decimal("5")),
        ("campaign", Decimal("9")),
    ]


def test_a_repeated_row_counts_once_the_last_winning() -> None:
    rows = roll_up([ad("a1", "s1", "c1", "5"), ad("a1", "s1", "c1", "7")])
    assert sorted((r.level.value, r.spend) for r in rows) == [
        ("ad", Decimal("7")),
        ("ad_set", Decimal("7")),
        ("campaign", Decimal("7")),
    ]


def test_an_ad_without_its_parents_cannot_be_rolled_up() -> None:
    with pytest.raises(ValueError, match="no ad_set id"):
        roll_up([ad("a1", "", "c1", "5")])


@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(0, 3),
            st.integers(0, 2),
            st.decimals(0, 10_000, places=2),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_every_level_carries_the_same_spend_per_day(
    found: list[tuple[int, int, int, Decimal]],
) -> None:
    ads = [
        ad(f"a{a}", f"s{a % 2}", f"c{a % 2}", str(spend), day=DAY + timedelta(days=d))
        for a, _, d, spend in found
    ]
    rows = roll_up(ads)
    unique = {(r.entity_id, r.day): r.spend for r in ads}
    for level in AdLevel:
        total = sum((r.spend for r in rows if r.level is level), Decimal(0))
        assert total == sum(unique.values(), Decimal(0))
