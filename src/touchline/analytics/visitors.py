"""The visitor list: every visitor with a visit in the period, identified or not, most recently
seen first (keyset pages `last_seen_at desc`, then the visitor), with the latest visit's
country, device, browser, OS, channel and source, the period's visits, page views and
channels, and the lifetime cash of the person behind the visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from touchline.analytics.attribution import money, period_params
from touchline.analytics.cursor import Cursor, cursor_clause
from touchline.analytics.query import Period, bound_sql
from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.domain.visitors import visitor_key
from touchline.processing.credit_queries import LINKS, with_person
from touchline.processing.session_queries import IS_VISIT
from touchline.store.base import EventStore, Sql

LATEST: Final = ("country", "device", "browser", "os", "channel", "utm_source", "referrer_domain")
# Aliases never reuse a column name the WHERE reads (ClickHouse resolves aliases there).
# The page's visitors are picked from a narrow aggregate (visitor, last seen) first; only they
# get the wide one (counts, the latest visit's details): ~1M visitors a month at 10M events.
VISITOR_ROWS: Final = f"""WITH seen AS (
  SELECT visitor_key, max(ended_at) AS last_seen_at FROM sessions
  WHERE profile_id = $profile AND {IS_VISIT} AND started_at >= $start AND started_at < $end
  GROUP BY visitor_key
),
linked AS (
  SELECT visitor_key, customer_id FROM identity_map
  WHERE profile_id = $profile AND kind = 'anonymous_id' AND customer_id <> ''
),
page AS (
  SELECT r.visitor_key AS page_key, CAST(r.visitor_key AS VARCHAR) AS vkey, r.last_seen_at,
    coalesce(l.customer_id, '') AS customer_id
  FROM seen r LEFT JOIN linked l ON l.visitor_key = r.visitor_key
  WHERE {{where}}
  ORDER BY r.last_seen_at DESC, vkey DESC
  LIMIT {{limit}}
),
ranged AS (
  SELECT visitor_key, count(*) AS session_count, sum(pageviews) AS pageview_count,
    {", ".join(f"arg_max({c}, ended_at) AS {c}" for c in LATEST)}
  FROM sessions
  WHERE profile_id = $profile AND {IS_VISIT} AND started_at >= $start AND started_at < $end
    AND visitor_key IN (SELECT page_key FROM page)
  GROUP BY visitor_key
),
channels AS (
  SELECT visitor_key, channel, min(started_at) AS first_at FROM sessions
  WHERE profile_id = $profile AND {IS_VISIT} AND started_at >= $start AND started_at < $end
    AND channel <> '' AND visitor_key IN (SELECT page_key FROM page)
  GROUP BY visitor_key, channel
)
SELECT p.vkey, p.last_seen_at, r.session_count, r.pageview_count,
  {", ".join(f"r.{c}" for c in LATEST)}, p.customer_id, coalesce(c.channel, ''), c.first_at
FROM page p JOIN ranged r ON r.visitor_key = p.page_key
LEFT JOIN channels c ON c.visitor_key = p.page_key
ORDER BY p.last_seen_at DESC, p.vkey DESC"""
"""One row per (visitor, visit channel) of the page, newest visitor first."""

# Every event of a visitor has its anonymous id; the one that ended its latest visit lies between
# the page's oldest and newest `last_seen_at`: seconds of events, not the period's millions.
ANONYMOUS_IDS: Final = """SELECT CAST(visitor_key AS VARCHAR), min(anonymous_id) FROM events
WHERE profile_id = $profile AND ts >= $seen_from AND ts <= $seen_to
  AND list_contains($keys, CAST(visitor_key AS VARCHAR)) AND list_contains($origins, origin)
GROUP BY visitor_key"""

# Lifetime cash of each visitor's person (the customer it is linked to, else the visitor).
PERSON_CASH: Final = f"""WITH {LINKS},
conv_src AS (
  SELECT visitor_key, identity_kind, identity_value, reporting_value FROM conversions
  WHERE profile_id = $profile AND revenue_type = 'cash'
)
SELECT person, sum(reporting_value) FROM ({with_person("conv_src")}) AS c
WHERE list_contains($people, person) GROUP BY person"""


@dataclass(frozen=True, slots=True)
class VisitorQuery:
    profile_id: str
    period: Period
    limit: int
    people: tuple[str, ...] | None = None  # customers a search matched; None = everyone
    after: Cursor | None = None  # its id is a visitor id (anonymous_id)


@dataclass(frozen=True, slots=True)
class VisitorRow:
    visitor_id: str  # the browser's anonymous_id
    customer_id: str | None
    last_seen_at: datetime
    session_count: int
    total_pageviews: int
    country: str
    device: str
    browser: str
    os: str
    channel: str
    source: str
    touch_channels: tuple[str, ...]  # the period's channels, in order of first appearance
    total_revenue: Decimal  # lifetime cash (net of refunds) of the visitor's person

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.last_seen_at, self.visitor_id)


@dataclass(frozen=True, slots=True)
class VisitorPage:
    rows: tuple[VisitorRow, ...]
    has_next: bool


def page_sql(query: VisitorQuery) -> Sql:
    params: dict[str, Any] = period_params(query.profile_id, query.period)
    where = ["TRUE"]
    if query.people is not None:
        where.append("list_contains($people, l.customer_id)")
        params["people"] = list(query.people)
    if query.after is not None:
        where.append(cursor_clause("r.last_seen_at", "CAST(r.visitor_key AS VARCHAR)"))
        key = str(visitor_key(query.profile_id, query.after.id))
        params |= {"cursor_time": query.after.time, "cursor_id": key}
    text = VISITOR_ROWS.format(where=" AND ".join(where), limit=int(query.limit) + 1)
    return bound_sql(text, params)


def visitor_page(store: EventStore, query: VisitorQuery) -> VisitorPage:
    if query.people == ():
        return VisitorPage((), has_next=False)
    rows, channels = _visitors(store.query(page_sql(query)))
    page, more = rows[: query.limit], len(rows) > query.limit
    ids = _anonymous_ids(store, query.profile_id, page)
    people = [str(r[11]) or f"v{r[0]}" for r in page]
    cash = _cash(store, query.profile_id, people)
    rows_out = (
        _row(r, (ids.get(str(r[0]), ""), channels[str(r[0])]), cash.get(person))
        for r, person in zip(page, people, strict=True)
    )
    return VisitorPage(tuple(rows_out), has_next=more)


def _visitors(
    rows: list[tuple[Any, ...]],
) -> tuple[list[tuple[Any, ...]], dict[str, tuple[str, ...]]]:
    """The (visitor, channel) rows folded: one row per visitor, in order, and each visitor's
    channels in order of their first visit."""
    visitors: dict[str, tuple[Any, ...]] = {}
    firsts: dict[str, list[tuple[datetime, str]]] = {}
    for row in rows:
        key, channel, first = str(row[0]), str(row[12] or ""), row[13]
        visitors.setdefault(key, row[:12])
        if channel:  # '' when the visitor's visits had no channel
            firsts.setdefault(key, []).append((first, channel))
    channels = {key: tuple(c for _, c in sorted(firsts.get(key, []))) for key in visitors}
    return list(visitors.values()), channels


def _anonymous_ids(
    store: EventStore, profile_id: str, page: list[tuple[Any, ...]]
) -> dict[str, str]:
    if not page:
        return {}
    params = {
        "profile": profile_id, "keys": [str(r[0]) for r in page],
        "seen_from": min(r[1] for r in page), "seen_to": max(r[1] for r in page),
        "origins": sorted(FIRST_PARTY_ORIGINS),
    }  # fmt: skip
    return {str(k): str(a) for k, a in store.query(bound_sql(ANONYMOUS_IDS, params))}


def _cash(store: EventStore, profile_id: str, people: list[str]) -> dict[str, Decimal]:
    if not people:
        return {}
    params = {"profile": profile_id, "people": sorted(set(people))}
    return {str(p): money(v) for p, v in store.query(bound_sql(PERSON_CASH, params))}


def _row(
    row: tuple[Any, ...], details: tuple[str, tuple[str, ...]], cash: Decimal | None
) -> VisitorRow:
    _key, seen, sessions, pageviews, country, device, browser, os_, channel = row[:9]
    utm_source, referrer, customer = row[9:]
    anonymous_id, channels = details
    return VisitorRow(
        visitor_id=anonymous_id, customer_id=str(customer) or None, last_seen_at=seen,
        session_count=int(sessions), total_pageviews=int(pageviews or 0),
        country=str(country or ""), device=str(device or ""), browser=str(browser or ""),
        os=str(os_ or ""), channel=str(channel or ""),
        source=str(utm_source or referrer or ""), touch_channels=channels,
        total_revenue=cash if cash is not None else Decimal(0),
    )  # fmt: skip
