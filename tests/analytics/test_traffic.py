"""The traffic summary on both engines, with events entering through the real enrichment
pipeline: counts per local day, rates, bots and server-side events left out."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from tests.store.engines import event_table

from touchline.analytics.traffic import TrafficQuery, build, run, run_summary
from touchline.errors import InvalidDateRange, InvalidParameter
from touchline.ingest.context import ProfileContext, RequestContext
from touchline.ingest.pipeline import Pipeline, build_pipeline
from touchline.ingest.protocol import RawEvent
from touchline.processing.sessions import update_sessions
from touchline.settings import Settings
from touchline.store.base import EventStore

GEOIP = Path(__file__).resolve().parents[2] / "vendor" / "geoip"
CLINIC = ProfileContext(
    "prof_clinic", domains=frozenset({"clinic.example"}), timezone="America/Mexico_City"
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
NOW_US = 1_780_000_000_000_000
MONDAY = dt.date(2026, 3, 9)  # Mexico City is UTC-6 all year
UTC = dt.UTC


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    built = build_pipeline(Settings(data_dir=tmp_path, geoip_path=GEOIP))
    yield built
    built.close()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A local Mexico City time as UTC."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) + dt.timedelta(
        hours=6
    )


def hit(when: dt.datetime, visitor: str, type_: str = "page_view", **fields: Any) -> Any:
    event = {
        "event_id": str(uuid.uuid4()),
        "type": type_,
        "anonymous_id": visitor,
        "timestamp": int(when.timestamp() * 1000),
        "url": "https://clinic.example/",
    }
    return event | fields


def ingest(
    store: EventStore,
    pipeline: Pipeline,
    events: list[dict[str, Any]],
    *,
    user_agent: str = CHROME,
    origin: str = "import",
) -> None:
    """Through the enrichment pipeline into the store, then sessions (what the loader does)."""
    raw = msgspec.json.decode(orjson.dumps(events), type=list[RawEvent])
    context = RequestContext(CLINIC, "81.2.69.142", user_agent, NOW_US, origin=origin, live=False)
    result = pipeline.run(raw, context)
    if result.rows:
        table = event_table(result.rows)
        store.append("events", table)
        update_sessions(store=store, new_rows=table, profiles={CLINIC.profile_id: CLINIC})


def query(first: dt.date, last: dt.date) -> TrafficQuery:
    return TrafficQuery(CLINIC.profile_id, first, last, CLINIC.timezone)


@pytest.fixture
def week(event_store: EventStore, pipeline: Pipeline) -> EventStore:
    """Two visitors on Monday (one late in the evening, after UTC midnight), one return on
    Tuesday; plus a crawler and a payment webhook that must not count."""
    tuesday = MONDAY + dt.timedelta(days=1)
    ingest(
        event_store,
        pipeline,
        [
            hit(at(MONDAY, 10), "ana", url="https://clinic.example/?utm_source=google&utm_medium=cpc"),
            hit(at(MONDAY, 10, 1), "ana", "engagement", name="heartbeat",
                payload={"engaged_ms": 20_000}),
            hit(at(MONDAY, 10, 2), "ana", url="https://clinic.example/book"),
            hit(at(MONDAY, 10, 3), "ana", "track", name="lead_submitted"),
            hit(at(MONDAY, 23, 30), "ben"),
            hit(at(tuesday, 9), "ana", url="https://clinic.example/blog"),
        ],
    )  # fmt: skip
    ingest(event_store, pipeline, [hit(at(MONDAY, 12), "crawler")], user_agent=GOOGLEBOT)
    ingest(
        event_store,
        pipeline,
        [hit(at(MONDAY, 15), "carla", "revenue", revenue={"amount": 90, "currency": "USD"})],
        origin="webhook:stripe",
    )
    return event_store


def test_summary_counts_visitors_visits_and_pageviews(week: EventStore) -> None:
    result = run(week, query(MONDAY, MONDAY + dt.timedelta(days=2)))

    assert result.summary.as_json() == {
        "visitors": 2,
        "visits": 3,
        "pageviews": 4,
        "bounces": 2,
        "bounce_rate": 66.67,
        "total_engaged_seconds": 20.0,
        "avg_engaged_seconds": 6.67,
        "views_per_visit": 1.33,
        "avg_visit_duration_seconds": 60.0,
    }


def test_visits_count_on_the_profiles_local_day(week: EventStore) -> None:
    days = run(week, query(MONDAY, MONDAY + dt.timedelta(days=2))).days

    counts = [(d.day, d.counts.visitors, d.counts.visits, d.counts.bounces) for d in days]
    assert counts == [
        (MONDAY, 2, 2, 1),
        (MONDAY + dt.timedelta(days=1), 1, 1, 1),
        (MONDAY + dt.timedelta(days=2), 0, 0, 0),
    ]


def test_a_single_day_excludes_the_others(week: EventStore) -> None:
    summary = run(week, query(MONDAY, MONDAY)).summary
    assert (summary.visitors, summary.visits, summary.pageviews) == (2, 2, 3)


def test_an_empty_period_is_all_zeros(event_store: EventStore) -> None:
    result = run(event_store, query(MONDAY, MONDAY))
    assert result.summary.as_json()["visits"] == 0
    assert result.summary.bounce_rate == 0.0


def test_the_json_shape_for_the_cli_and_the_server(week: EventStore) -> None:
    answer = run_summary(
        store=week,
        profile_id=CLINIC.profile_id,
        timezone=CLINIC.timezone,
        date_from="2026-03-09",
        date_to="2026-03-10",
    )

    assert answer["profile_id"] == CLINIC.profile_id
    assert (answer["date_from"], answer["date_to"]) == ("2026-03-09", "2026-03-10")
    assert answer["timezone"] == "America/Mexico_City"
    assert [day["date"] for day in answer["timeseries"]] == ["2026-03-09", "2026-03-10"]
    assert answer["timeseries"][0]["pageviews"] == 3


def test_bad_dates_are_refused_before_any_query() -> None:
    with pytest.raises(InvalidDateRange):
        build(query(MONDAY, MONDAY - dt.timedelta(days=1)))
    with pytest.raises(InvalidParameter, match="date_to"):
        TrafficQuery.parse(profile_id="p", date_from="2026-03-01", date_to="soon", timezone="UTC")
