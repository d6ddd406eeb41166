"""Report windows: the first run reaches back `initial_days`, later runs `lookback_days` before
the last day done, a backfill starts where asked, and a cursor inside a chunk resumes there."""

from __future__ import annotations

from datetime import date, timedelta

import orjson
from hypothesis import given
from hypothesis import strategies as st

from touchline.connectors.report_window import Reach, ReportWindow, resume

TODAY = date(2026, 10, 7)
REACH = Reach(initial_days=90, lookback_days=7)


def test_the_first_run_reaches_back_the_initial_days() -> None:
    assert resume(None, since=None, today=TODAY, reach=REACH) == ReportWindow(
        date(2026, 7, 9), TODAY
    )


def test_a_later_run_rereads_the_lookback_before_the_last_day_done() -> None:
    done = orjson.dumps({"through": "2026-10-05"}).decode()
    assert resume(done, since=None, today=TODAY, reach=REACH) == ReportWindow(
        date(2026, 9, 29), TODAY
    )


def test_a_backfill_wins_over_the_cursor() -> None:
    done = orjson.dumps({"through": "2026-10-05"}).decode()
    assert resume(done, since=date(2026, 1, 1), today=TODAY, reach=REACH) == ReportWindow(
        date(2026, 1, 1), TODAY
    )


def test_a_cursor_inside_a_chunk_resumes_it_at_the_providers_position() -> None:
    window = ReportWindow(date(2026, 9, 1), TODAY)
    cursor = window.at(date(2026, 10, 2), "QVFI")
    assert resume(cursor, since=None, today=TODAY, reach=REACH) == ReportWindow(
        date(2026, 10, 2), TODAY, "QVFI"
    )


def test_an_unreadable_cursor_counts_as_none() -> None:
    assert resume("{not json", since=None, today=TODAY, reach=REACH).start == date(2026, 7, 9)


def test_after_the_last_chunk_the_cursor_says_through_the_end() -> None:
    window = ReportWindow(date(2026, 9, 1), TODAY)
    assert orjson.loads(window.after(TODAY)) == {"through": "2026-10-07"}
    assert orjson.loads(window.after(date(2026, 9, 30))) == {
        "start": "2026-10-01",
        "end": "2026-10-07",
        "position": "",
    }


@given(
    start=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    length=st.integers(0, 400),
    size=st.integers(1, 40),
)
def test_chunks_cover_every_day_once_in_order(start: date, length: int, size: int) -> None:
    window = ReportWindow(start, start + timedelta(days=length))
    days = [
        first + timedelta(days=i)
        for first, last in window.chunks(size)
        for i in range((last - first).days + 1)
    ]
    assert days == [start + timedelta(days=i) for i in range(length + 1)]
    assert all((last - first).days < size for first, last in window.chunks(size))
