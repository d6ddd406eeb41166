"""Event time → epoch µs, inside the live window or the import window."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.ingest.enrich.step import DropReason
from touchline.ingest.enrich.timestamp import TimestampCheck, epoch_us

from .events import NOW_US, new_row, raw_event, request

CHECK = TimestampCheck(max_past_days=7, max_future_skew_seconds=300)
DAY_MS = 86_400_000
NOW_MS = NOW_US // 1000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1_700_000_000_123, 1_700_000_000_123_000),
        (1_700_000_000_123.5, 1_700_000_000_123_500),
        ("1700000000123", 1_700_000_000_123_000),
        ("2023-11-14T22:13:20.123Z", 1_700_000_000_123_000),
        ("2023-11-14T19:13:20.123-03:00", 1_700_000_000_123_000),
        ("2023-11-14T22:13:20.123", 1_700_000_000_123_000),  # naive: UTC
        ("2023-11-14", 1_699_920_000_000_000),
    ],
)
def test_numbers_and_iso_strings_become_epoch_microseconds(
    value: int | float | str, expected: int
) -> None:
    assert epoch_us(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "", "2023-13-40", float("nan"), float("inf"), True])
def test_values_that_are_no_time_give_none(value: int | float | str) -> None:
    assert epoch_us(value) is None


def check(timestamp: int | float | str, *, live: bool = True) -> tuple[DropReason | None, int]:
    row = new_row()
    reason = CHECK(raw_event(timestamp=timestamp), request(live=live), row)
    return reason, row["ts"]


def test_live_events_inside_the_window_are_kept() -> None:
    assert check(NOW_MS - 7 * DAY_MS) == (None, NOW_US - 7 * DAY_MS * 1000)
    assert check(NOW_MS + 300_000) == (None, NOW_US + 300_000_000)


def test_live_events_outside_the_window_are_dropped() -> None:
    assert check(NOW_MS - 7 * DAY_MS - 1)[0] is DropReason.TIMESTAMP_OUT_OF_RANGE
    assert check(NOW_MS + 300_001)[0] is DropReason.TIMESTAMP_OUT_OF_RANGE


def test_imports_accept_any_history_but_not_the_future() -> None:
    assert check("2019-01-01T00:00:00Z", live=False) == (None, 1_546_300_800_000_000)
    assert check(0, live=False) == (None, 0)
    assert check(-1, live=False)[0] is DropReason.TIMESTAMP_OUT_OF_RANGE
    assert check(NOW_MS + 300_001, live=False)[0] is DropReason.TIMESTAMP_OUT_OF_RANGE


def test_unreadable_timestamps_are_dropped_as_invalid() -> None:
    assert check("not a time")[0] is DropReason.INVALID_TIMESTAMP


@given(st.integers(min_value=0, max_value=4_102_444_800_000))
def test_integer_milliseconds_convert_exactly(ms: int) -> None:
    assert epoch_us(ms) == ms * 1000
    assert epoch_us(str(ms)) == ms * 1000
