"""Tracking quality of a period's conversions: full UTMs, partial UTMs, click id only, none."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.analytics.rows import DAY, P, conversion, credit, load, session, touch_row

from touchline.analytics.quality import TrackingQuality, tracking_quality
from touchline.analytics.query import Period
from touchline.store.base import EventStore

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
FULL: dict[str, Any] = {"utm_source": "facebook", "utm_medium": "paid", "utm_campaign": "spring"}


def test_each_conversion_is_classified_by_its_best_touch(event_store: EventStore) -> None:
    earlier = DAY - timedelta(days=3)
    load(
        event_store,
        conversions=[conversion(c) for c in ("full", "ids", "partial", "click", "none", "bare")]
        + [conversion("ineligible", attribution_eligible=False)],
        credits=[
            credit("full", "cash", "1", touch_key=10, **FULL),
            credit("full", "cash", "1", touch_key=11, channel="Direct"),
            credit("ids", "cash", "1", touch_key=20, touch_type="synthetic", campaign_id="c1"),
            credit("partial", "cash", "1", touch_key=30, utm_source="newsletter"),
            credit("partial", "cash", "1", touch_key=31),  # a clicked visit, but UTMs win
            credit("click", "cash", "1", touch_key=31),
            credit("none", "cash", "1", touch_key=40, channel="Organic Search"),
        ],
        sessions=[
            session(31, 7, earlier, "Paid Social", click_id_type="fbclid", click_id="abc"),
            session(40, 8, earlier, "Organic Search"),
        ],
        touches=[touch_row(20, "synthetic", DAY, "Paid Social", campaign_id="c1")],
    )
    found = tracking_quality(event_store, profile_id=P, period=MARCH)
    assert found == TrackingQuality(6, 2, 1, 1, 2)
    assert (found.coverage_percent, found.attributable_coverage_pct) == (66.67, 66.7)


def test_the_spec_example_rounds_once_from_raw_counts() -> None:
    mcp = TrackingQuality(409, 248, 0, 102, 59)
    assert (mcp.full_utms_pct, mcp.fbclid_only_pct, mcp.no_tracking_pct) == (60.6, 24.9, 14.4)
    assert mcp.attributable_coverage_pct == 85.6  # the spec's 85.5 adds rounded parts (§9 #42)
    assert TrackingQuality(1450, 890, 0, 320, 240).coverage_percent == 83.45
    assert TrackingQuality(0, 0, 0, 0, 0).coverage_percent == 0.0


@given(st.lists(st.sampled_from(["full", "partial", "click", "none"]), min_size=1))
def test_percentages_are_each_rounded_once_from_the_counts(classes: list[str]) -> None:
    counts = [classes.count(c) for c in ("full", "partial", "click", "none")]
    found = TrackingQuality(len(classes), *counts)
    assert found.attributable_coverage_pct == round(
        100 * (len(classes) - counts[3]) / len(classes), 1
    )
    assert 0.0 <= found.attributable_coverage_pct <= 100.0
