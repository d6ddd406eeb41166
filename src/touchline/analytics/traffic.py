"""The traffic summary: visitors, visits, pageviews, bounce rate and engaged time of a profile's
period, in total and per local day, read from the materialized sessions.

A visit counts on the local day it started (docs/decisions/0402). Bots were dropped at ingest
and server-side events never make sessions, so neither appears here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from touchline.analytics.query import Period, parse_day
from touchline.processing.session_queries import current_sessions
from touchline.store.base import EventStore, Sql

TOTAL: Final = -1  # the day number of the whole-period row


@dataclass(frozen=True, slots=True)
class TrafficQuery:
    """One profile's traffic for `date_from`..`date_to` (inclusive) in its `timezone`."""

    profile_id: str
    date_from: date
    date_to: date
    timezone: str = "UTC"

    @classmethod
    def parse(cls, *, profile_id: str, date_from: str, date_to: str, timezone: str) -> TrafficQuery:
        """From request or command-line text; bad dates are `invalid_parameter` errors."""
        period = Period(
            parse_day(date_from, name="date_from"), parse_day(date_to, name="date_to"), timezone
        )
        return cls(profile_id, period.date_from, period.date_to, period.timezone)

    @property
    def period(self) -> Period:
        return Period(self.date_from, self.date_to, self.timezone)


@dataclass(frozen=True, slots=True)
class TrafficCounts:
    """Exact sums from the store; the rates are derived from them."""

    visitors: int = 0
    visits: int = 0
    pageviews: int = 0
    bounces: int = 0
    engaged_ms: int = 0
    duration_us: int = 0

    @property
    def bounce_rate(self) -> float:
        """Bounced visits as a percentage of visits."""
        return round(100 * self.bounces / self.visits, 2) if self.visits else 0.0

    @property
    def total_engaged_seconds(self) -> float:
        return round(self.engaged_ms / 1000, 1)

    @property
    def avg_engaged_seconds(self) -> float:
        return round(self.engaged_ms / 1000 / self.visits, 2) if self.visits else 0.0

    @property
    def views_per_visit(self) -> float:
        return round(self.pageviews / self.visits, 2) if self.visits else 0.0

    @property
    def avg_visit_duration_seconds(self) -> float:
        return round(self.duration_us / 1e6 / self.visits, 2) if self.visits else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "visitors": self.visitors,
            "visits": self.visits,
            "pageviews": self.pageviews,
            "bounces": self.bounces,
            "bounce_rate": self.bounce_rate,
            "total_engaged_seconds": self.total_engaged_seconds,
            "avg_engaged_seconds": self.avg_engaged_seconds,
            "views_per_visit": self.views_per_visit,
            "avg_visit_duration_seconds": self.avg_visit_duration_seconds,
        }


@dataclass(frozen=True, slots=True)
class TrafficDay:
    day: date
    counts: TrafficCounts

    def as_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), **self.counts.as_json()}


@dataclass(frozen=True, slots=True)
class TrafficResult:
    query: TrafficQuery
    summary: TrafficCounts
    days: tuple[TrafficDay, ...]

    def as_json(self) -> dict[str, Any]:
        """The shape `touchline stats --json` prints and `/internal/stats` answers."""
        return {
            "profile_id": self.query.profile_id,
            "date_from": self.query.date_from.isoformat(),
            "date_to": self.query.date_to.isoformat(),
            "timezone": self.query.timezone,
            "summary": self.summary.as_json(),
            "timeseries": [day.as_json() for day in self.days],
        }


def build(query: TrafficQuery) -> Sql:
    """Per local day: visitors (distinct), visits, pageviews, bounces, engaged milliseconds and
    visit durations of the sessions started that day; plus the period's distinct visitors."""
    period = query.period
    day, params = period.local_day_sql("epoch_us(started_at)")
    sessions = current_sessions(
        "profile_id = $profile AND started_at >= $start AND started_at < $end"
    )
    # Two plain scans, not one shared CTE: DuckDB would materialize the CTE first.
    text = f"""SELECT {day} AS day, count(DISTINCT visitor_key) AS visitors, count(*) AS visits,
  sum(pageviews) AS pageviews, sum(CASE WHEN bounced THEN 1 ELSE 0 END) AS bounces,
  sum(engaged_ms) AS engaged_ms, sum(epoch_us(ended_at) - epoch_us(started_at)) AS duration_us
FROM ({sessions}) AS day_sessions
GROUP BY day
UNION ALL
SELECT {TOTAL} AS day, count(DISTINCT visitor_key) AS visitors, 0, 0, 0, 0, 0
FROM ({sessions}) AS period_sessions"""
    bounds = {"start": period.start, "end": period.end}
    return Sql(text, {"profile": query.profile_id, **bounds, **params})


def run(store: EventStore, query: TrafficQuery) -> TrafficResult:
    return result_of(query, store.query(build(query)))


def result_of(query: TrafficQuery, rows: Sequence[tuple[Any, ...]]) -> TrafficResult:
    """Days from the per-day rows; the summary sums them, but for its distinct visitors."""
    by_day = {int(row[0]): TrafficCounts(*(int(v or 0) for v in row[1:])) for row in rows}
    days = tuple(
        TrafficDay(day, by_day.get(index, TrafficCounts()))
        for index, day in enumerate(query.period.days)
    )
    summary = TrafficCounts(
        visitors=by_day.get(TOTAL, TrafficCounts()).visitors,
        visits=sum(d.counts.visits for d in days),
        pageviews=sum(d.counts.pageviews for d in days),
        bounces=sum(d.counts.bounces for d in days),
        engaged_ms=sum(d.counts.engaged_ms for d in days),
        duration_us=sum(d.counts.duration_us for d in days),
    )
    return TrafficResult(query=query, summary=summary, days=days)


def run_summary(
    *, store: EventStore, profile_id: str, timezone: str, date_from: str, date_to: str
) -> dict[str, Any]:
    """The traffic summary as JSON, from request text (the server's `/internal/stats`)."""
    query = TrafficQuery.parse(
        profile_id=profile_id, date_from=date_from, date_to=date_to, timezone=timezone
    )
    return run(store, query).as_json()
