"""Campaign trend and the API's reach on both engines: daily delivery of entities named by
their internal ids, another profile's or level's ids finding nothing, peak daily reach."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.analytics.rows import P, insight, load

from touchline.analytics.attribution import Level
from touchline.analytics.campaigns import attribution_by
from touchline.analytics.query import Period
from touchline.analytics.trend import TrendDay, entity_trend, parse_entity_ids, parse_entity_level
from touchline.domain.ad_entities import internal_id
from touchline.domain.attribution.settings import Model
from touchline.errors import InvalidParameter
from touchline.store.base import EventStore

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def uid(key: str, level: str = "campaign", profile: str = P) -> str:
    return internal_id(profile_id=profile, level=level, key=key)


def seed(store: EventStore) -> None:
    load(
        store,
        insights=[
            insight("campaign", "c1", date(2026, 3, 2), "10", impressions=100, clicks=3, reach=90),
            insight("campaign", "c1", date(2026, 3, 3), "20", impressions=300, clicks=7, reach=250),
            # the same id on another platform is the same row, as in attribution_by
            insight("campaign", "c1", date(2026, 3, 3), "5", platform="google_ads",
                    impressions=50, clicks=1, reach=40),
            insight("ad", "a1", date(2026, 3, 3), "20", impressions=300, clicks=7),
            insight("campaign", "c1", date(2026, 4, 1), "99"),  # after the period
            insight("campaign", "c9", date(2026, 3, 2), "1") | {"profile_id": "someone-else"},
        ],
    )  # fmt: skip


def test_trend_is_per_entity_and_day_in_the_order_asked(event_store: EventStore) -> None:
    seed(event_store)
    found = entity_trend(event_store, profile_id=P, period=MARCH, level=Level.CAMPAIGN,
                         entity_ids=(uid("c1"),))  # fmt: skip
    assert found == [
        TrendDay(uid("c1"), date(2026, 3, 2), Decimal("10.00"), 100, 3),
        TrendDay(uid("c1"), date(2026, 3, 3), Decimal("25.00"), 350, 8),
    ]


def test_ids_of_another_profile_or_level_find_nothing(event_store: EventStore) -> None:
    seed(event_store)
    for ids, level in (
        ((uid("c9", profile="someone-else"), uid("c9")), Level.CAMPAIGN),
        ((uid("a1"),), Level.AD),  # a1's campaign-level id is not its ad id
        ((uid("a1", "ad"),), Level.CAMPAIGN),
    ):
        found = entity_trend(event_store, profile_id=P, period=MARCH, level=level, entity_ids=ids)
        assert found == [], ids
    [ad_day] = entity_trend(event_store, profile_id=P, period=MARCH, level=Level.AD,
                            entity_ids=(uid("a1", "ad"),))  # fmt: skip
    assert (ad_day.spend, ad_day.clicks) == (Decimal("20.00"), 7)


def test_reach_is_the_largest_day_never_the_sum(event_store: EventStore) -> None:
    seed(event_store)
    [row, *_] = attribution_by(event_store, profile_id=P, period=MARCH, model=Model.LAST_TOUCH,
                               level=Level.CAMPAIGN)  # fmt: skip
    assert (row.key, row.delivery.reach, row.delivery.peak_reach) == ("c1", 380, 250)


def test_entity_ids_and_levels_are_parsed_strictly() -> None:
    assert parse_entity_ids(" a, b,a,, ") == ("a", "b")
    assert parse_entity_level(None) is Level.CAMPAIGN
    for bad in ("", ",", ",".join(str(n) for n in range(11))):
        with pytest.raises(InvalidParameter, match="entity_ids"):
            parse_entity_ids(bad)
    with pytest.raises(InvalidParameter, match="level"):
        parse_entity_level("channel")
