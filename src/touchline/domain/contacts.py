"""A contact's journey summary (the AttributionHub `/contacts` product): every figure is
derived from the contact's whole journey — its sessions, oldest first, and its conversions — so
the summary is self-consistent (CHECKLIST §8.2, §9 #59)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

DAY_SECONDS: Final = 86_400


class TouchScope(StrEnum):
    """Which of a contact's sessions the filters look at."""

    ANY = "any"
    FIRST = "first"  # the contact's first session
    CONVERTING = "converting"  # sessions a conversion happened in
    ASSIST = "assist"  # after the first session and before the first converting one
    AFTER = "after"  # after the first converting session


@dataclass(frozen=True, slots=True)
class Conversion:
    """A conversion (refunds left out); `page` is where the tracker sent it from (None for a
    server-side one), `previous_page` the page viewed before it in its session."""

    conversion_id: str
    at: datetime
    goal_key: str  # conversion_meta.type
    event_name: str  # conversion_meta.id
    page: str | None
    previous_page: str | None


@dataclass(frozen=True, slots=True)
class Exit:
    page: str
    previous_page: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    """One visit: where it came from, and either its first conversion or how it ended."""

    started_at: datetime
    ended_at: datetime
    source: str | None
    medium: str | None
    campaign: str | None
    content: str | None
    term: str | None
    landing_page: str | None
    conversion: Conversion | None  # the first conversion that happened in it
    exit: Exit | None  # only for sessions without a conversion

    @property
    def duration_seconds(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds())


@dataclass(frozen=True, slots=True)
class Journey:
    sessions: tuple[Session, ...]  # oldest first
    conversions: tuple[Conversion, ...]  # every conversion, oldest first (also sessionless)


@dataclass(frozen=True, slots=True)
class Pages:
    landing_pages: dict[str, int]
    conversion_pages: dict[str, int]
    exit_pages: dict[str, int]
    previous_conversion_pages: dict[str, int]
    previous_exit_pages: dict[str, int]


@dataclass(frozen=True, slots=True)
class Summary:
    total_sessions: int
    total_conversions: int
    conversion_rate_percent: float | None  # converting sessions / sessions * 100
    conversion_dates: tuple[datetime, ...]
    days_since_last_conversion: int | None
    is_repeat_converter: bool
    avg_days_between_conversions: float | None
    avg_days_between_sessions: float | None
    avg_session_duration_seconds: int | None
    days_to_convert: int | None
    pages: Pages
    first_touch: Session | None
    converting_touch: Session | None
    recent_touch: Session | None


def summarize(journey: Journey, *, now: datetime) -> Summary:
    sessions, conversions = journey.sessions, journey.conversions
    converting = [s for s in sessions if s.conversion is not None]
    dates = tuple(c.at for c in conversions)
    return Summary(
        total_sessions=len(sessions),
        total_conversions=len(conversions),
        conversion_rate_percent=_percent(len(converting), len(sessions)),
        conversion_dates=dates,
        days_since_last_conversion=_whole_days(dates[-1], now) if dates else None,
        is_repeat_converter=len(conversions) > 1,
        avg_days_between_conversions=_mean_gap_days(dates),
        avg_days_between_sessions=_mean_gap_days(tuple(s.started_at for s in sessions)),
        avg_session_duration_seconds=_mean_seconds([s.duration_seconds for s in sessions]),
        days_to_convert=_days_to_convert(sessions, dates),
        pages=interested_pages(sessions),
        first_touch=sessions[0] if sessions else None,
        converting_touch=converting[0] if converting else None,
        recent_touch=sessions[-1] if sessions else None,
    )


def interested_pages(sessions: tuple[Session, ...]) -> Pages:
    """Counts over the journey's own session objects (so they can be checked against it)."""
    conversions = [s.conversion for s in sessions if s.conversion is not None]
    exits = [s.exit for s in sessions if s.exit is not None]
    return Pages(
        landing_pages=_counts(s.landing_page for s in sessions),
        conversion_pages=_counts(c.page for c in conversions),
        exit_pages=_counts(e.page for e in exits),
        previous_conversion_pages=_counts(c.previous_page for c in conversions),
        previous_exit_pages=_counts(e.previous_page for e in exits),
    )


def _counts(pages: Iterable[str | None]) -> dict[str, int]:
    return dict(Counter(p for p in pages if p))


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else _round(Decimal(part * 100) / whole)


def _round(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _whole_days(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // DAY_SECONDS))


def _mean_gap_days(instants: tuple[datetime, ...]) -> float | None:
    """The mean gap between consecutive instants: the first-to-last span over the gaps."""
    if len(instants) < 2:
        return None
    span = Decimal(str((instants[-1] - instants[0]).total_seconds()))
    return _round(span / DAY_SECONDS / (len(instants) - 1))


def _mean_seconds(durations: list[int]) -> int | None:
    if not durations:
        return None
    mean = Decimal(sum(durations)) / len(durations)
    return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _days_to_convert(sessions: tuple[Session, ...], dates: tuple[datetime, ...]) -> int | None:
    """Whole days from the first session to the first conversion (0 when it came first)."""
    if not sessions or not dates:
        return None
    return _whole_days(sessions[0].started_at, dates[0])
