"""Which report days a reporting sync (ad insights, search keywords) asks for, in chunks, and
the cursor that resumes it: inside a chunk at the provider's own position, or after the last
day done, reaching back a few days because platforms restate recent days."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

import orjson

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReportWindow:
    """Days `start`..`end` (inclusive) still to fetch; `position` is the provider's resume
    point inside the chunk that begins at `start` ('' = its beginning)."""

    start: date
    end: date
    position: str = ""

    def chunks(self, days: int) -> Iterator[tuple[date, date]]:
        """(first, last) day of each chunk of at most `days` days, in order."""
        first = self.start
        while first <= self.end:
            last = min(first + timedelta(days=days - 1), self.end)
            yield first, last
            first = last + timedelta(days=1)

    def at(self, chunk_start: date, position: str) -> str:
        """The cursor of a page inside the chunk starting at `chunk_start`."""
        return _encode(replace(self, start=chunk_start, position=position))

    def after(self, chunk_end: date) -> str:
        """The cursor once the chunk ending at `chunk_end` is done."""
        if chunk_end >= self.end:
            return orjson.dumps({"through": self.end.isoformat()}).decode()
        return _encode(ReportWindow(chunk_end + timedelta(days=1), self.end))


@dataclass(frozen=True, slots=True)
class Reach:
    """How far back a sync goes: `initial_days` on the first run, `lookback_days` before the
    last day done on later runs (restatements)."""

    initial_days: int
    lookback_days: int


def resume(cursor: str | None, *, since: date | None, today: date, reach: Reach) -> ReportWindow:
    """The window to fetch now. `since` (a backfill) wins over the cursor; an unreadable
    cursor is treated as none (the sync re-reads, and unchanged records are no-ops)."""
    if since is not None:
        return ReportWindow(min(since, today), today)
    saved = _decode(cursor) if cursor else None
    if isinstance(saved, ReportWindow) and saved.start <= saved.end:
        return saved
    if isinstance(saved, ReportWindow):
        saved = saved.end
    if isinstance(saved, date):
        start = min(saved + timedelta(days=1), today) - timedelta(days=reach.lookback_days)
        return ReportWindow(start, today)
    return ReportWindow(today - timedelta(days=reach.initial_days), today)


def _encode(window: ReportWindow) -> str:
    return orjson.dumps(
        {"start": window.start.isoformat(), "end": window.end.isoformat(),
         "position": window.position}
    ).decode()  # fmt: skip


def _decode(cursor: str) -> ReportWindow | date | None:
    try:
        value = orjson.loads(cursor)
        if "through" in value:
            return date.fromisoformat(value["through"])
        return ReportWindow(
            date.fromisoformat(value["start"]),
            date.fromisoformat(value["end"]),
            str(value.get("position") or ""),
        )
    except (orjson.JSONDecodeError, TypeError, KeyError, ValueError):
        log.warning("ignoring an unreadable report cursor: %.80s", cursor)
        return None
