"""The engagement quality score of a session (0-100) and the engagement signals behind it.

One formula, two renderings: `engagement_quality_score` in Python and `score_sql` as a SQL
expression that sessions compute in the engine (docs/engagement-score.md explains the points).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

ENGAGEMENT_TYPE: Final = "engagement"
"""Scroll, video and error reports are engagement events (docs/decisions/0601)."""
SCROLL_FIELDS: Final = {"scroll_depth": "percent", "page_engagement": "max_scroll_percent"}
"""Event name → the payload field that reports how far down the page the visitor scrolled."""
VIDEO_EVENT: Final = "video_progress"
ERROR_EVENT: Final = "js_error"
MAX_SCORE: Final = 100


@dataclass(frozen=True, slots=True)
class Component:
    """`points` for every whole `per` units of one session signal, for at most `steps` steps.

    Negative `points` make a penalty. Values below zero count as zero.
    """

    signal: str
    per: int
    points: int
    steps: int

    def of(self, value: int) -> int:
        return self.points * min(self.steps, max(value, 0) // self.per)

    def sql(self, value: str) -> str:
        units = f"greatest(coalesce({value}, 0), 0)"
        steps = units if self.per == 1 else f"{units} // {self.per}"
        return f"{self.points} * least({self.steps}, {steps})"

    @property
    def best(self) -> int:
        return self.points * self.steps


COMPONENTS: Final = (
    # Attention: 1 point per 3 s of engaged time, full marks at 2 minutes.
    Component("engaged_ms", per=3_000, points=1, steps=40),
    # Reading: 1 point per 4 % of the deepest scroll, full marks at the bottom of a page.
    Component("max_scroll_percent", per=4, points=1, steps=25),
    # Exploring: 5 points per page view, full marks at 4 pages.
    Component("pageviews", per=1, points=5, steps=4),
    # Watching: 5 points per video milestone, full marks at 3.
    Component("video_events", per=1, points=5, steps=3),
    # Frustration: 5 points off per uncaught JavaScript error, at most 15 off.
    Component("error_events", per=1, points=-5, steps=3),
)
SIGNALS: Final = tuple(c.signal for c in COMPONENTS)


def engagement_quality_score(
    *,
    engaged_ms: int,
    max_scroll_percent: int,
    pageviews: int,
    video_events: int,
    error_events: int,
) -> int:
    """The session's score, 0-100: the components' points, clamped."""
    values = {
        "engaged_ms": engaged_ms,
        "max_scroll_percent": max_scroll_percent,
        "pageviews": pageviews,
        "video_events": video_events,
        "error_events": error_events,
    }
    total = sum(c.of(values[c.signal]) for c in COMPONENTS)
    return max(0, min(MAX_SCORE, total))


def score_sql(
    *,
    engaged_ms: str,
    max_scroll_percent: str,
    pageviews: str,
    video_events: str,
    error_events: str,
) -> str:
    """The same score as a SQL expression (DuckDB dialect) over five integer expressions;
    NULL inputs count as zero."""
    values = {
        "engaged_ms": engaged_ms,
        "max_scroll_percent": max_scroll_percent,
        "pageviews": pageviews,
        "video_events": video_events,
        "error_events": error_events,
    }
    total = " + ".join(f"({c.sql(values[c.signal])})" for c in COMPONENTS)
    return f"greatest(0, least({MAX_SCORE}, {total}))"


def reported_scroll(event_type: str, name: str, payload: Mapping[str, Any] | None) -> int | None:
    """The scroll depth (whole percent) an event reports, if it is a scroll report with a
    number from 0 to 100 (or such a number as text); anything else reports none."""
    field = SCROLL_FIELDS.get(name)
    if event_type != ENGAGEMENT_TYPE or field is None or not payload:
        return None
    value = payload.get(field)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    # NaN fails both comparisons, so it reports none as well.
    return int(value // 1) if 0 <= value <= 100 else None


def is_video_report(event_type: str, name: str) -> bool:
    return event_type == ENGAGEMENT_TYPE and name == VIDEO_EVENT


def is_error_report(event_type: str, name: str) -> bool:
    return event_type == ENGAGEMENT_TYPE and name == ERROR_EVENT
