"""The whole journeys of a page of contacts: their visits (with landing page, source, how each
ended), their page views, and every conversion placed in its visit exactly as the `/contacts`
scan places it (analytics/contacts.py `session_facts`). Pages are URLs without query string
or fragment; consecutive views of one page count once."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from touchline.analytics.contacts import MEDIUM_SQL, SOURCE_SQL, session_facts
from touchline.analytics.query import bound_sql
from touchline.domain.contacts import Conversion, Exit, Journey, Session
from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.store.base import EventStore, Sql

THEIR_VISITORS: Final = """(SELECT visitor_key FROM identity_map WHERE profile_id = $profile
    AND kind = 'anonymous_id' AND list_contains($people, customer_id))"""
THEIR_IDENTITIES: Final = """(SELECT kind || ':' || value FROM identity_map
    WHERE profile_id = $profile AND kind <> 'anonymous_id'
      AND list_contains($people, customer_id))"""
FACTS: Final = session_facts(
    session_scope=f" AND visitor_key IN {THEIR_VISITORS}",
    conversion_scope=f""" AND (visitor_key <> 0 AND visitor_key IN {THEIR_VISITORS}
    OR identity_kind || ':' || identity_value IN {THEIR_IDENTITIES})""",
    matches="TRUE",
)
SESSIONS: Final = f"""WITH {FACTS}
SELECT person, session_key, visitor_key, started_at, ended_at, landing_url, {SOURCE_SQL},
  {MEDIUM_SQL}, utm_campaign, utm_content, utm_term
FROM journeys WHERE list_contains($people, person)
ORDER BY person, started_at, session_key"""
CONVERSIONS: Final = f"""WITH {FACTS}
SELECT c.person, c.conversion_id, c.goal_key, c.event_name, c.ts, pl.session_key, e.url
FROM person_conversions c
LEFT JOIN (SELECT conversion_id, session_key FROM placed WHERE pick = 1) pl
  ON pl.conversion_id = c.conversion_id
LEFT JOIN conversion_pages e ON e.event_id = c.conversion_id
WHERE list_contains($people, c.person)
ORDER BY c.person, c.ts, c.conversion_id"""
PAGE_VIEWS: Final = f"""SELECT visitor_key, ts, url FROM events
WHERE profile_id = $profile AND type = 'page_view' AND list_contains($origins, origin)
  AND url <> '' AND visitor_key IN {THEIR_VISITORS}
ORDER BY visitor_key, ts, event_id"""


@dataclass(frozen=True, slots=True)
class _Visit:
    key: int
    visitor: int
    started_at: datetime
    ended_at: datetime
    row: tuple[Any, ...]


def page(url: Any) -> str | None:
    """The URL without query string and fragment."""
    if not url:
        return None
    parts = urlsplit(str(url))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) or None


def _sql(text: str, profile_id: str, people: Sequence[str]) -> Sql:
    params = {"profile": profile_id, "people": list(people), "origins": sorted(FIRST_PARTY_ORIGINS)}
    return bound_sql(text, params)


def contact_journeys(
    store: EventStore, *, profile_id: str, people: Sequence[str]
) -> dict[str, Journey]:
    """Each person's journey (persons without visits or conversions get an empty one)."""
    if not people:
        return {}
    visits: defaultdict[str, list[_Visit]] = defaultdict(list)
    for row in store.query(_sql(SESSIONS, profile_id, people)):
        visits[str(row[0])].append(_Visit(int(row[1]), int(row[2]), row[3], row[4], row[5:]))
    views = _page_views(store, profile_id, people)
    placed: defaultdict[int, list[Conversion]] = defaultdict(list)
    conversions: defaultdict[str, list[Conversion]] = defaultdict(list)
    keyed = {v.key: v for person in visits.values() for v in person}
    for person, cid, goal, name, ts, session_key, url in store.query(
        _sql(CONVERSIONS, profile_id, people)
    ):
        visit = keyed.get(int(session_key or 0))
        here = page(url)
        before = _previous(views.get(visit.visitor, []), visit, ts, here) if visit else None
        conversion = Conversion(str(cid), ts, str(goal), str(name or goal), here, before)
        conversions[str(person)].append(conversion)
        if visit is not None:
            placed[visit.key].append(conversion)
    return {
        person: Journey(
            sessions=tuple(_session(v, views.get(v.visitor, []), placed) for v in visits[person]),
            conversions=tuple(conversions[person]),
        )
        for person in people
    }


def _page_views(
    store: EventStore, profile_id: str, people: Sequence[str]
) -> dict[int, list[tuple[datetime, str]]]:
    views: defaultdict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for visitor, ts, url in store.query(_sql(PAGE_VIEWS, profile_id, people)):
        where = page(url)
        if where:
            views[int(visitor)].append((ts, where))
    return views


def _pages(views: list[tuple[datetime, str]], start: datetime, end: datetime) -> list[str]:
    """The visit's pages in order, a page viewed again right after itself counted once."""
    first = bisect_right(views, start, key=lambda v: v[0]) - 1
    pages: list[str] = []
    for ts, url in views[max(first, 0) :]:
        if ts > end:
            break
        if ts >= start and (not pages or pages[-1] != url):
            pages.append(url)
    return pages


def _previous(
    views: list[tuple[datetime, str]], visit: _Visit, at: datetime, here: str | None
) -> str | None:
    """The last page viewed in the visit up to `at` that is not the conversion's own page."""
    earlier = [p for p in _pages(views, visit.started_at, min(at, visit.ended_at)) if p != here]
    return earlier[-1] if earlier else None


def _session(
    visit: _Visit, views: list[tuple[datetime, str]], placed: dict[int, list[Conversion]]
) -> Session:
    landing, source, medium, campaign, content, term = visit.row
    converted = placed.get(visit.key, [])
    pages = _pages(views, visit.started_at, visit.ended_at)
    ended = None
    if not converted and pages:
        ended = Exit(pages[-1], pages[-2] if len(pages) > 1 else None, visit.ended_at)
    return Session(
        started_at=visit.started_at, ended_at=visit.ended_at, source=_text(source),
        medium=_text(medium), campaign=_text(campaign), content=_text(content),
        term=_text(term), landing_page=page(landing),
        conversion=converted[0] if converted else None, exit=ended,
    )  # fmt: skip


def _text(value: Any) -> str | None:
    return str(value) if value else None
