"""Periods: inclusive local days, their UTC bounds, DST shifts, and the SQL day numbering (on
both engines) agreeing with Python's zoneinfo."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchline.analytics.query import Period, parse_day
from touchline.errors import InvalidDateRange, InvalidParameter
from touchline.store.base import EventStore, Sql
from touchline.store.schema import SESSION_SCOPE, arrow_schema

UTC = dt.UTC
ZONES = [
    "UTC",
    "America/New_York",
    "America/Mexico_City",
    "America/Santiago",
    "Europe/Madrid",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]


def test_days_are_inclusive_and_bounded_by_local_midnights() -> None:
    period = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 3), "America/Mexico_City")
    assert period.days == [dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    assert period.start == dt.datetime(2026, 3, 1, 6, tzinfo=UTC)
    assert period.end == dt.datetime(2026, 3, 4, 6, tzinfo=UTC)


def test_a_dst_change_inside_the_period_is_found_to_the_second() -> None:
    period = Period(dt.date(2026, 3, 7), dt.date(2026, 3, 9), "America/New_York")
    assert period.offset_changes() == [(dt.datetime(2026, 3, 8, 7, tzinfo=UTC), 3600)]
    assert period.end - period.start == dt.timedelta(hours=71)


def test_a_period_without_offset_changes_has_none() -> None:
    assert Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31), "Europe/Madrid").offset_changes() == []


def test_from_after_to_is_an_invalid_date_range() -> None:
    with pytest.raises(InvalidDateRange):
        Period(dt.date(2026, 3, 2), dt.date(2026, 3, 1))


def test_an_unknown_timezone_is_an_invalid_parameter() -> None:
    with pytest.raises(InvalidParameter, match="Mars/Olympus"):
        Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1), "Mars/Olympus")


@pytest.mark.parametrize("text", ["2026-13-01", "yesterday", "", "2026/03/01"])
def test_dates_must_be_iso_days(text: str) -> None:
    with pytest.raises(InvalidParameter, match="date_from"):
        parse_day(text, name="date_from")


@st.composite
def periods_and_instants(draw: st.DrawFn) -> tuple[Period, list[dt.datetime]]:
    first = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 1)))
    period = Period(first, first + dt.timedelta(days=draw(st.integers(0, 40))),
                    draw(st.sampled_from(ZONES)))  # fmt: skip
    span = int((period.end - period.start).total_seconds())
    seconds = draw(st.lists(st.integers(0, span - 1), min_size=1, max_size=20))
    changes = [instant for instant, _ in period.offset_changes()]
    # The seconds around each DST change are where an off-by-one would hide.
    near = [c + dt.timedelta(seconds=d) for c in changes for d in (-1, 0, 1)]
    inside = [i for i in near if period.start <= i < period.end]
    return period, [period.start + dt.timedelta(seconds=s) for s in seconds] + inside


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=periods_and_instants())
def test_sql_local_day_numbers_match_zoneinfo(
    event_store: EventStore, case: tuple[Period, list[dt.datetime]]
) -> None:
    period, instants = case
    rows = pa.table(
        {
            "profile_id": ["p"] * len(instants),
            "visitor_key": list(range(len(instants))),
            "first_ts": instants,
            "from_ts": instants,
        },
        schema=arrow_schema(SESSION_SCOPE.columns),
    )
    event_store.execute(Sql("TRUNCATE TABLE session_scope"))
    event_store.append("session_scope", rows)
    day, params = period.local_day_sql("epoch_us(first_ts)")

    got = event_store.query(Sql(f"SELECT visitor_key, {day} FROM session_scope", params))

    zone = ZoneInfo(period.timezone)
    want = {
        (i, (t.astimezone(zone).date() - period.date_from).days) for i, t in enumerate(instants)
    }
    assert {(int(k), int(d)) for k, d in got} == want
