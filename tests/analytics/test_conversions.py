"""Conversion counts by goal and revenue type, in total and per local day, on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from tests.analytics.rows import P, conversion, load

from touchline.analytics.conversions import (
    ConversionCount,
    DailyConversionCount,
    conversion_counts,
    conversions_by_day,
)
from touchline.analytics.query import Period
from touchline.store.base import EventStore

TOKYO = Period(date(2026, 3, 20), date(2026, 3, 21), "Asia/Tokyo")  # UTC+9, no DST
EVE_19TH_UTC = datetime(2026, 3, 19, 16, tzinfo=UTC)  # 01:00 on the 20th in Tokyo
NOON_20TH_UTC = datetime(2026, 3, 20, 12, tzinfo=UTC)  # 21:00 on the 20th
LATE_20TH_UTC = datetime(2026, 3, 20, 20, tzinfo=UTC)  # 05:00 on the 21st


def seed(store: EventStore) -> None:
    lead = {"goal_key": "lead_created", "revenue_type": "pipeline"}
    load(
        store,
        conversions=[
            conversion("l1", ts=EVE_19TH_UTC, **lead),
            conversion("l2", ts=NOON_20TH_UTC, **lead),
            conversion("l3", ts=LATE_20TH_UTC, value="1000", **lead),
            conversion("p1", ts=NOON_20TH_UTC, value="80"),
            conversion("p2", ts=LATE_20TH_UTC, value="9000", currency="CLP", reporting=None),
            conversion("r1", ts=LATE_20TH_UTC, value="-80", refund_of="p1"),  # not a conversion
            conversion("o1", ts=LATE_20TH_UTC, value="35", goal_key="order_placed",
                       revenue_type="gross", attribution_eligible=False),
            conversion("old", ts=datetime(2026, 3, 19, 14, tzinfo=UTC)),  # the 19th in Tokyo
        ],
    )  # fmt: skip


def test_counts_by_goal_most_frequent_first_refunds_excluded(event_store: EventStore) -> None:
    seed(event_store)
    assert conversion_counts(event_store, profile_id=P, period=TOKYO) == [
        ConversionCount("lead_created", "pipeline", 3, Decimal("1000.00"), 0),
        ConversionCount("payment_received", "cash", 2, Decimal("80.00"), 1),
        ConversionCount("order_placed", "gross", 1, Decimal("35.00"), 0),
    ]


def test_counts_per_local_day_only_where_there_were_some(event_store: EventStore) -> None:
    seed(event_store)
    day20, day21 = date(2026, 3, 20), date(2026, 3, 21)
    assert conversions_by_day(event_store, profile_id=P, period=TOKYO) == [
        DailyConversionCount(day20, "lead_created", 2),
        DailyConversionCount(day20, "payment_received", 1),
        DailyConversionCount(day21, "lead_created", 1),
        DailyConversionCount(day21, "order_placed", 1),
        DailyConversionCount(day21, "payment_received", 1),
    ]
