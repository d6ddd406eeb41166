"""Server-side sessions: where one visitor's events split into visits, and each visit's facts.

The pure rule; processing/sessions.py runs the same rule in SQL (docs/decisions/0401).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final

FIRST_PARTY_ORIGINS: Final = frozenset({"tracker", "import"})
"""Only events a visitor's browser produced create or extend sessions (never webhooks, syncs)."""

PASSIVE_TYPES: Final = frozenset({"engagement", "impression", "consent"})
"""Extend a session but never make one on their own, and are not interactions (no bounce fix)."""

PAGE_VIEW: Final = "page_view"
MIN_TIMEOUT_MINUTES: Final = 1
MAX_TIMEOUT_MINUTES: Final = 120
DEFAULT_TIMEOUT_MINUTES: Final = 30
ENGAGED_ALLOWANCE_MS: Final = 5_000
"""Engaged time may exceed the visit's span by this much (clock rounding, the first page's time)."""


@dataclass(frozen=True, slots=True)
class SessionRule:
    """A profile's sessionization settings."""

    timeout_minutes: int = DEFAULT_TIMEOUT_MINUTES
    split_on_source: bool = False

    def __post_init__(self) -> None:
        if not MIN_TIMEOUT_MINUTES <= self.timeout_minutes <= MAX_TIMEOUT_MINUTES:
            raise ValueError(f"session timeout must be 1-120 minutes, not {self.timeout_minutes}")

    @property
    def timeout_us(self) -> int:
        return self.timeout_minutes * 60_000_000


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """The enriched-event fields sessionization reads (a subset of store.schema.EVENT_COLUMNS)."""

    event_id: str
    ts: int  # epoch microseconds, UTC
    type: str
    origin: str = "tracker"
    url: str = ""
    host: str = ""
    path: str = ""
    referrer_domain: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""
    click_id_type: str = ""
    click_id: str = ""
    channel: str = ""
    is_payment_return: bool = False
    device: str = ""
    browser: str = ""
    os: str = ""
    country: str = ""
    region: str = ""
    city: str = ""
    engaged_ms: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> SessionEvent:
        """Build from an enriched-event row; missing or null fields take their defaults."""
        values = {f.name: row[f.name] for f in fields(cls) if row.get(f.name) is not None}
        return cls(**values)

    @property
    def is_first_party(self) -> bool:
        return self.origin in FIRST_PARTY_ORIGINS

    @property
    def is_page_view(self) -> bool:
        return self.type == PAGE_VIEW

    @property
    def is_passive(self) -> bool:
        return self.type in PASSIVE_TYPES

    @property
    def is_interaction(self) -> bool:
        return not self.is_page_view and not self.is_passive

    @property
    def source(self) -> str:
        """The marketing source a page view brings: click id, else UTM set, else an external
        referrer; empty for other events, payment returns and internal or direct views."""
        if not self.is_page_view or self.is_payment_return:
            return ""
        if self.click_id:
            return f"c:{self.click_id_type}:{self.click_id}"
        utms = (
            self.utm_source,
            self.utm_medium,
            self.utm_campaign,
            self.utm_content,
            self.utm_term,
        )
        if any(utms):
            return "u:" + "|".join(utms)
        return f"r:{self.referrer_domain}" if self.referrer_domain else ""


def event_order(event: SessionEvent) -> tuple[int, str]:
    """The total order of a visitor's events: time, then event id."""
    return (event.ts, event.event_id)


def split_sessions(events: Iterable[SessionEvent], rule: SessionRule) -> list[list[SessionEvent]]:
    """Group one visitor's events into sessions (visits), in time order.

    Server-side events are left out; so is a run of passive events with nothing else in it.
    """
    return [s for s in split_runs(events, rule) if is_visit(s)]


def split_runs(events: Iterable[SessionEvent], rule: SessionRule) -> list[list[SessionEvent]]:
    """Like `split_sessions`, but keeping runs of passive events only (what is stored)."""
    ordered = sorted((e for e in events if e.is_first_party), key=event_order)
    runs: list[list[SessionEvent]] = []
    splitter = _Splitter(rule)
    for event in ordered:
        if splitter.starts_session(event):
            runs.append([])
        runs[-1].append(event)
    return runs


def is_visit(events: Sequence[SessionEvent]) -> bool:
    """A run of events is a visit unless all of them are passive."""
    return not all(e.is_passive for e in events)


class _Splitter:
    """Walks a visitor's ordered events remembering what the split decision needs."""

    __slots__ = ("_last_source", "_last_ts", "_rule", "_segment_has_page_view")

    def __init__(self, rule: SessionRule) -> None:
        self._rule = rule
        self._last_ts: int | None = None
        self._segment_has_page_view = False
        self._last_source = ""

    def starts_session(self, event: SessionEvent) -> bool:
        last_ts, self._last_ts = self._last_ts, event.ts
        idle = last_ts is None or event.ts - last_ts > self._rule.timeout_us
        if idle:
            self._segment_has_page_view = False
            self._last_source = ""
        # A source change splits only at a later instant: sessions of a visitor never share a
        # start time, so their keys never collide.
        moved_on = last_ts is not None and event.ts > last_ts
        split = idle or (self._rule.split_on_source and moved_on and self._changes_source(event))
        if event.source:
            self._last_source = event.source
        self._segment_has_page_view |= event.is_page_view
        return split

    def _changes_source(self, event: SessionEvent) -> bool:
        # The first page view of an inactivity segment defines the source; later page views
        # split only when they bring a different one (CHECKLIST §2.7).
        source = event.source
        return bool(source) and self._segment_has_page_view and source != self._last_source


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What a session is, computed from its events."""

    started_at: int
    ended_at: int
    events: int
    pageviews: int
    interactions: int
    bounced: bool
    engaged_ms: int
    entry_path: str
    exit_path: str
    landing_url: str
    host: str
    channel: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str
    utm_term: str
    click_id_type: str
    click_id: str
    referrer_domain: str
    device: str
    browser: str
    os: str
    country: str
    region: str
    city: str

    @property
    def duration_ms(self) -> int:
        return (self.ended_at - self.started_at) // 1000


ENTRY_FIELDS: Final = (
    "channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "click_id_type",
    "click_id",
    "referrer_domain",
    "device",
    "browser",
    "os",
    "country",
    "region",
    "city",
)
"""Session fields copied from the session's first event under the same name."""


def describe_session(events: Sequence[SessionEvent]) -> SessionFacts:
    """The facts of one session (its events in `event_order`, as `split_sessions` returns).

    Entry fields (entry page, landing URL, source, client, place) come from the first event,
    the exit page from the last one (docs/decisions/0401).
    """
    entry, exit_ = events[0], events[-1]
    pageviews = sum(1 for e in events if e.is_page_view)
    interactions = sum(1 for e in events if e.is_interaction)
    span_ms = (exit_.ts - entry.ts) // 1000
    reported_ms = sum(e.engaged_ms for e in events)
    return SessionFacts(
        started_at=entry.ts,
        ended_at=exit_.ts,
        events=len(events),
        pageviews=pageviews,
        interactions=interactions,
        bounced=is_bounce(pageviews=pageviews, interactions=interactions),
        engaged_ms=min(reported_ms, span_ms + ENGAGED_ALLOWANCE_MS),
        entry_path=entry.path,
        exit_path=exit_.path,
        landing_url=entry.url,
        host=entry.host,
        **{name: getattr(entry, name) for name in ENTRY_FIELDS},
    )


def is_bounce(*, pageviews: int, interactions: int) -> bool:
    """A bounce: at most one page view and no interaction (engagement events don't count)."""
    return pageviews <= 1 and interactions == 0


def session_key(visitor_key: int, started_at_us: int) -> int:
    """Unsigned 64-bit key of a session, from its visitor key and start (epoch µs).

    `v - s` when that is not negative, else `v + s`: plain unsigned arithmetic every SQL engine
    computes alike, never overflowing, and one-to-one in `s` for a given visitor (the two
    branches cover [0, v] and (2v, v + s]), so a visitor's sessions never share a key.
    """
    if visitor_key >= started_at_us:
        return visitor_key - started_at_us
    return visitor_key + started_at_us
