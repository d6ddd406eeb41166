"""Revenue by day (attributed cash, spend, cash collected) in the profile's timezone, and cash
collected by source and original currency, on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from tests.analytics.rows import P, conversion, credit, insight, load

from touchline.analytics.query import Period
from touchline.analytics.revenue import CashCollected, cash_collected, revenue_by_day, source_of
from touchline.domain.attribution.settings import Model
from touchline.store.base import EventStore

# New York is UTC-4 after DST starts on 2026-03-08: 02:00 UTC on the 10th is the 9th locally.
LATE_9TH = datetime(2026, 3, 10, 2, tzinfo=UTC)
NOON_10TH = datetime(2026, 3, 10, 16, tzinfo=UTC)
NOON_11TH = datetime(2026, 3, 11, 16, tzinfo=UTC)
WEEK = Period(date(2026, 3, 8), date(2026, 3, 12), "America/New_York")
D = Decimal


def test_revenue_by_day_in_local_days_with_refunds_as_negatives(event_store: EventStore) -> None:
    load(
        event_store,
        credits=[
            credit("a", "cash", "100", conversion_ts=LATE_9TH, shares={"linear": 0.25}),
            credit(
                "a", "cash", "100", conversion_ts=LATE_9TH, touch_key=2, shares={"linear": 0.75}
            ),
            credit("b", "cash", "40", conversion_ts=NOON_10TH),
            credit("deal", "pipeline", "5000", conversion_ts=NOON_10TH),
            credit("r", "cash", "-10", conversion_ts=NOON_11TH),  # refund of b, b's shares
        ],
        conversions=[
            conversion("a", ts=LATE_9TH, value="100"),
            conversion("b", ts=NOON_10TH, value="40"),
            conversion("lost", ts=NOON_10TH, value="15"),  # unattributed, still collected
            conversion("deal", ts=NOON_10TH, value="5000", revenue_type="pipeline"),
            conversion("r", ts=NOON_11TH, value="-10", refund_of="b"),
            conversion("ars", ts=NOON_11TH, value="9000", currency="ARS", reporting=None),
        ],
        insights=[
            insight("campaign", "m1", date(2026, 3, 9), "20"),
            insight("campaign", "g1", date(2026, 3, 9), "5", platform="google_ads"),
            insight("ad_set", "m1-s", date(2026, 3, 9), "20"),  # inside m1's total
            insight("campaign", "m1", date(2026, 3, 13), "99"),  # after the period
        ],
    )
    result = revenue_by_day(event_store, profile_id=P, period=WEEK, model=Model.LINEAR)
    by_day = {d.day.day: (d.revenue, d.spend, d.cash_collected) for d in result.days}
    assert by_day == {
        8: (D("0.00"), D("0.00"), D("0.00")),
        9: (D("100.00"), D("25.00"), D("100.00")),
        10: (D("40.00"), D("0.00"), D("55.00")),
        11: (D("-10.00"), D("0.00"), D("-10.00")),
        12: (D("0.00"), D("0.00"), D("0.00")),
    }
    assert (result.revenue, result.spend, result.cash_collected) == (D("130"), D("25"), D("145"))
    assert result.unconverted_payments == 1  # the ARS payment: in no sum, never as zero


def test_cash_collected_by_source_and_original_currency(event_store: EventStore) -> None:
    load(
        event_store,
        conversions=[
            conversion("s1", ts=NOON_10TH, value="100"),
            conversion("s2", ts=NOON_10TH, value="50.5"),
            conversion("s3", ts=NOON_11TH, value="-20", refund_of="s1"),
            conversion(
                "mp", ts=NOON_10TH, value="4500", currency="MXN", reporting="250",
                origin="sync:mercadopago",
            ),
            conversion("web", ts=NOON_10TH, value="9", origin="tracker"),
            conversion("order", ts=NOON_10TH, value="70", revenue_type="gross"),
            conversion("later", ts=datetime(2026, 3, 20, tzinfo=UTC), value="1"),
        ],
    )  # fmt: skip
    assert cash_collected(event_store, profile_id=P, period=WEEK) == [
        CashCollected("mercadopago", "MXN", D("4500.00"), 1, 0, D("0.00")),
        CashCollected("stripe", "USD", D("130.50"), 2, 1, D("20.00")),
        CashCollected("tracker", "USD", D("9.00"), 1, 0, D("0.00")),
    ]


def test_a_period_without_data_is_all_zero_days(event_store: EventStore) -> None:
    result = revenue_by_day(event_store, profile_id=P, period=WEEK, model=Model.LAST_TOUCH)
    assert [d.day for d in result.days] == WEEK.days
    assert (result.revenue, result.spend, result.cash_collected) == (D(0), D(0), D(0))
    assert cash_collected(event_store, profile_id=P, period=WEEK) == []


def test_sources_are_the_provider_of_server_side_origins() -> None:
    assert [source_of(o) for o in ("webhook:stripe", "sync:mercadopago", "tracker", "")] == [
        "stripe",
        "mercadopago",
        "tracker",
        "",
    ]
