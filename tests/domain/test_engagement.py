"""The engagement quality score: its points, its bounds, and its SQL twin on both engines."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.store.engines import event_store

from touchline.domain.engagement import (
    COMPONENTS,
    MAX_SCORE,
    engagement_quality_score,
    is_error_report,
    is_video_report,
    reported_scroll,
    score_sql,
)
from touchline.store.base import EventStore, Sql

__all__ = ["event_store"]

SIGNALS = ("engaged_ms", "max_scroll_percent", "pageviews", "video_events", "error_events")


def score(
    engaged_ms: int = 0,
    max_scroll_percent: int = 0,
    pageviews: int = 0,
    video_events: int = 0,
    error_events: int = 0,
) -> int:
    return engagement_quality_score(
        engaged_ms=engaged_ms,
        max_scroll_percent=max_scroll_percent,
        pageviews=pageviews,
        video_events=video_events,
        error_events=error_events,
    )


@pytest.mark.parametrize(
    ("signals", "points"),
    [
        ({}, 0),
        ({"pageviews": 1}, 5),
        ({"engaged_ms": 2_999}, 0),
        ({"engaged_ms": 30_000}, 10),
        ({"engaged_ms": 120_000}, 40),
        ({"engaged_ms": 3_600_000}, 40),
        ({"max_scroll_percent": 50}, 12),
        ({"max_scroll_percent": 100}, 25),
        ({"pageviews": 9}, 20),
        ({"video_events": 2}, 10),
        ({"video_events": 10}, 15),
        ({"pageviews": 3, "error_events": 1}, 10),
        ({"pageviews": 1, "error_events": 5}, 0),
        ({"engaged_ms": 45_000, "max_scroll_percent": 75, "pageviews": 2}, 43),
        ({"engaged_ms": 10**9, "max_scroll_percent": 100, "pageviews": 4, "video_events": 3}, 100),
        ({"engaged_ms": -5, "max_scroll_percent": -1, "pageviews": -3}, 0),
    ],
)
def test_each_signal_earns_its_documented_points(signals: dict[str, int], points: int) -> None:
    assert score(**signals) == points


def test_the_capped_components_add_up_to_exactly_the_maximum() -> None:
    assert sum(c.best for c in COMPONENTS if c.points > 0) == MAX_SCORE


signal_values = st.fixed_dictionaries(
    {
        "engaged_ms": st.integers(-10_000, 10**7),
        "max_scroll_percent": st.integers(-20, 200),
        "pageviews": st.integers(-2, 20),
        "video_events": st.integers(-2, 20),
        "error_events": st.integers(-2, 20),
    }
)


@given(signals=signal_values, which=st.sampled_from(SIGNALS), more=st.integers(0, 10**6))
def test_the_score_stays_in_range_and_moves_one_way_per_signal(
    signals: dict[str, int], which: str, more: int
) -> None:
    before = score(**signals)
    after = score(**(signals | {which: signals[which] + more}))
    assert 0 <= before <= MAX_SCORE and 0 <= after <= MAX_SCORE
    if which == "error_events":
        assert after <= before
    else:
        assert after >= before


def _literal(value: int | None) -> str:
    return "CAST(NULL AS BIGINT)" if value is None else f"CAST({value} AS BIGINT)"


def sql_scores(store: EventStore, rows: list[dict[str, int | None]]) -> list[int]:
    selects = [
        f"SELECT {index} AS i, " + ", ".join(f"{_literal(row[name])} AS {name}" for name in SIGNALS)
        for index, row in enumerate(rows)
    ]
    expression = score_sql(**{name: f"v.{name}" for name in SIGNALS})
    text = f"SELECT CAST({expression} AS INTEGER) FROM ({' UNION ALL '.join(selects)}) AS v"
    return [int(value) for (value,) in store.query(Sql(f"{text} ORDER BY v.i"))]


nullable_values = st.fixed_dictionaries(
    {
        "engaged_ms": st.none() | st.integers(-10_000, 500_000),
        "max_scroll_percent": st.none() | st.integers(-20, 200),
        "pageviews": st.none() | st.integers(-2, 10),
        "video_events": st.none() | st.integers(-2, 8),
        "error_events": st.none() | st.integers(-2, 8),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(nullable_values, min_size=1, max_size=20))
def test_the_sql_score_equals_the_python_score(
    event_store: EventStore, rows: list[dict[str, Any]]
) -> None:
    expected = [score(**{k: v or 0 for k, v in row.items()}) for row in rows]
    assert sql_scores(event_store, rows) == expected


@pytest.mark.parametrize(
    ("name", "payload", "depth"),
    [
        ("scroll_depth", {"percent": 75}, 75),
        ("scroll_depth", {"percent": 33.9}, 33),
        ("scroll_depth", {"percent": "50"}, 50),
        ("page_engagement", {"max_scroll_percent": 100, "engaged_ms": 1}, 100),
        ("page_engagement", {"max_scroll_percent": 0}, 0),
        ("scroll_depth", {"max_scroll_percent": 60}, None),
        ("page_engagement", {"percent": 60}, None),
        ("scroll_depth", {"percent": 100.5}, None),
        ("scroll_depth", {"percent": -1}, None),
        ("scroll_depth", {"percent": True}, None),
        ("scroll_depth", {"percent": "most"}, None),
        ("scroll_depth", {"percent": float("nan")}, None),
        ("scroll_depth", None, None),
        ("heartbeat", {"percent": 60}, None),
    ],
)
def test_scroll_reports_give_a_whole_percent_from_0_to_100(
    name: str, payload: dict[str, Any] | None, depth: int | None
) -> None:
    assert reported_scroll("engagement", name, payload) == depth


def test_only_engagement_events_report_scroll_video_or_errors() -> None:
    assert reported_scroll("track", "scroll_depth", {"percent": 50}) is None
    assert is_video_report("engagement", "video_progress")
    assert not is_video_report("track", "video_progress")
    assert is_error_report("engagement", "js_error")
    assert not is_error_report("engagement", "rage_click")
