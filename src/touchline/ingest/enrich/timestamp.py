"""Event time: epoch milliseconds (a number or numeric string) or ISO 8601 → epoch µs UTC,
accepted only inside the window live traffic (or an import) may carry.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Final

from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.step import DropReason, Row
from touchline.ingest.protocol import RawEvent

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US: Final = timedelta(microseconds=1)
US_PER_DAY: Final = 86_400_000_000


def epoch_us(timestamp: int | float | str) -> int | None:
    """Epoch microseconds, or None when the value is no time at all. Naive ISO times are UTC."""
    if isinstance(timestamp, bool):
        return None
    if isinstance(timestamp, int):
        return timestamp * 1000
    if isinstance(timestamp, float):
        return round(timestamp * 1000) if math.isfinite(timestamp) else None
    text = timestamp.strip()
    if text.isdigit():
        return int(text) * 1000
    try:
        return epoch_us(float(text)) if _is_number(text) else _iso_us(text)
    except (ValueError, OverflowError):
        return None


def _is_number(text: str) -> bool:
    return bool(text) and text.replace(".", "", 1).isdigit()


def _iso_us(text: str) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // ONE_US


class TimestampCheck:
    """Live events must fall in [received - max_past_days, received + future skew]; imports
    (`ctx.live` false) may be as old as the Unix epoch but no further in the future."""

    def __init__(self, *, max_past_days: int, max_future_skew_seconds: int) -> None:
        self._past_us = max_past_days * US_PER_DAY
        self._future_us = max_future_skew_seconds * 1_000_000

    def __call__(self, event: RawEvent, ctx: RequestContext, row: Row) -> DropReason | None:
        ts = epoch_us(event.timestamp)
        if ts is None:
            return DropReason.INVALID_TIMESTAMP
        received = ctx.received_at_us
        earliest = received - self._past_us if ctx.live else 0
        if not earliest <= ts <= received + self._future_us:
            return DropReason.TIMESTAMP_OUT_OF_RANGE
        row["ts"] = ts
        return None
