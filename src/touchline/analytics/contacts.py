"""The `/contacts` scan: the sessions matching a contact filter (every filter on the same
session), numbered oldest first, and the contacts — customers with an email identifier and at
least one conversion — whose first matching session lies past the page's offset.

A conversion belongs to the person's latest session that started at or before it and was still
open then (ended at most 30 minutes earlier); `SESSION_FACTS` numbers each person's sessions and
marks the converting ones, so `touch_scope` is a plain condition on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from touchline.analytics.query import bound_sql
from touchline.domain.contacts import TouchScope
from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.processing.credit_queries import LINKS, with_person
from touchline.processing.session_queries import IS_VISIT
from touchline.store.base import EventStore, Sql

BATCH: Final = 200  # sessions scanned per batch
PAGE_CONTACTS: Final = 50  # contacts per answer
OPEN_SECONDS: Final = 30 * 60  # a session still takes conversions this long after its last event

# The medium of a session without utm_medium, from its channel (direct traffic has none).
DERIVED_MEDIUMS: Final = {
    "Organic Search": "organic", "Organic Social": "social", "Referral": "referral",
    "Email": "email", "Paid Search": "cpc", "Paid Social": "cpc", "Display": "display",
    "Affiliate": "affiliate",
}  # fmt: skip
SOURCE_SQL: Final = "coalesce(nullif(utm_source, ''), nullif(referrer_domain, ''))"
MEDIUM_SQL: Final = (
    "coalesce(nullif(utm_medium, ''), CASE channel "
    + " ".join(f"WHEN '{c}' THEN '{m}'" for c, m in DERIVED_MEDIUMS.items())
    + " END)"
)


def page_match(column: str, parameter: str) -> str:
    """`column` is the page `$parameter` names, whatever query string or fragment follows."""
    return (
        f"({column} = ${parameter} OR starts_with({column}, ${parameter} || '?')"
        f" OR starts_with({column}, ${parameter} || '#'))"
    )


def session_facts(*, session_scope: str = "", conversion_scope: str = "", matches: str) -> str:
    """CTEs ending in `journeys`: every visit with its person, its number in the person's
    journey (`nth`), its conversions, whether one of them `matches`, and the number of the
    person's first converting visit (`converting_nth`)."""
    return f"""{LINKS},
sess AS (
  SELECT session_key, visitor_key, started_at, ended_at, landing_url, channel, referrer_domain,
    utm_source, utm_medium, utm_campaign, utm_content, utm_term,
    '' AS identity_kind, '' AS identity_value
  FROM sessions WHERE profile_id = $profile AND {IS_VISIT}{session_scope}
),
person_sessions AS ({with_person("sess")}),
conv_src AS (
  SELECT conversion_id, goal_key, event_name, ts, visitor_key, identity_kind, identity_value
  FROM conversions WHERE profile_id = $profile AND refund_of = ''{conversion_scope}
),
person_conversions AS ({with_person("conv_src")}),
conversion_pages AS (
  SELECT event_id, url FROM events
  WHERE profile_id = $profile AND list_contains($origins, origin) AND url <> ''
    AND event_id IN (SELECT conversion_id FROM conv_src)
),
placed AS (
  SELECT c.conversion_id AS conversion_id, c.goal_key AS goal_key, c.event_name AS event_name,
    c.person AS person, s.session_key AS session_key, row_number() OVER (
      PARTITION BY c.conversion_id ORDER BY s.started_at DESC, s.session_key DESC) AS pick
  FROM person_conversions c JOIN person_sessions s ON s.person = c.person
    AND s.started_at <= c.ts AND date_diff('second', s.ended_at, c.ts) <= {OPEN_SECONDS}
),
session_conversions AS (
  SELECT p.session_key AS session_key, p.person AS person, count(*) AS conversions,
    max(CASE WHEN {matches} THEN 1 ELSE 0 END) AS matching
  FROM placed p LEFT JOIN conversion_pages e ON e.event_id = p.conversion_id
  WHERE p.pick = 1 GROUP BY p.session_key, p.person
),
numbered AS (
  SELECT s.*, coalesce(sc.conversions, 0) AS conversions, coalesce(sc.matching, 0) AS matching,
    row_number() OVER (PARTITION BY s.person ORDER BY s.started_at, s.session_key) AS nth
  FROM person_sessions s
  LEFT JOIN session_conversions sc ON sc.session_key = s.session_key AND sc.person = s.person
),
journeys AS (
  SELECT *, min(CASE WHEN conversions > 0 THEN nth END) OVER (PARTITION BY person)
    AS converting_nth
  FROM numbered
)"""


SCOPES: Final = {
    TouchScope.ANY: "TRUE",
    TouchScope.FIRST: "nth = 1",
    TouchScope.CONVERTING: "conversions > 0",
    TouchScope.ASSIST: "nth > 1 AND converting_nth IS NOT NULL AND nth < converting_nth",
    TouchScope.AFTER: "converting_nth IS NOT NULL AND nth > converting_nth",
}
SESSION_FILTERS: Final = {
    "source": f"{SOURCE_SQL} = $source",
    "medium": f"{MEDIUM_SQL} = $medium",
    "campaign": "utm_campaign = $campaign",
    "content": "utm_content = $content",
    "term": "utm_term = $term",
    "landing_page": page_match("landing_url", "landing_page"),
    "start": "started_at >= $start",
    "end": "started_at <= $end",
}
CONVERSION_FILTERS: Final = {
    "meta_type": "p.goal_key = $meta_type",
    "meta_id": "p.event_name = $meta_id",
    "conversion_page": page_match("e.url", "conversion_page"),
}


@dataclass(frozen=True, slots=True)
class ContactFilter:
    """Case-sensitive exact values (None = any); `start`/`end` bound the session's start."""

    profile_id: str
    offset: int = 0
    start: datetime | None = None
    end: datetime | None = None
    source: str | None = None
    medium: str | None = None
    campaign: str | None = None
    content: str | None = None
    term: str | None = None
    landing_page: str | None = None
    conversion_page: str | None = None
    meta_type: str | None = None
    meta_id: str | None = None
    touch_scope: TouchScope = TouchScope.ANY

    def given(self, names: dict[str, str]) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in names}
        return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True, slots=True)
class ScanPage:
    """The contacts of one answer (customer ids, in order of their first matching session)."""

    contacts: tuple[str, ...]
    records_processed: int
    total_records: int

    @property
    def has_more(self) -> bool:
        return self.records_processed < self.total_records


def scan_sql(query: ContactFilter) -> Sql:
    sessions, conversions = query.given(SESSION_FILTERS), query.given(CONVERSION_FILTERS)
    where = [SESSION_FILTERS[name] for name in sessions] + [SCOPES[query.touch_scope]]
    if conversions:
        where.append("matching = 1")
    matches = " AND ".join(CONVERSION_FILTERS[name] for name in conversions) or "TRUE"
    params = {"profile": query.profile_id, "origins": sorted(FIRST_PARTY_ORIGINS)}
    text = f"""WITH {session_facts(matches=matches)},
matched AS (SELECT person, started_at, session_key FROM journeys WHERE {" AND ".join(where)}),
ordered AS (
  SELECT person, row_number() OVER (ORDER BY started_at, session_key) AS rn,
    count(*) OVER () AS total
  FROM matched
)
SELECT person, min(rn) AS first_rn, min(total) AS total FROM ordered
WHERE person IN (SELECT customer_id FROM links WHERE kind = 'email')
  AND person IN (SELECT person FROM person_conversions)
GROUP BY person HAVING min(rn) > $offset
ORDER BY first_rn, person
LIMIT {PAGE_CONTACTS + 1}"""
    return bound_sql(text, params | sessions | conversions | {"offset": query.offset})


def scan(store: EventStore, query: ContactFilter) -> ScanPage:
    """Up to 50 contacts; `records_processed` ends at the batch of 200 sessions that gave the
    50th, or earlier when the next contact's first session is in that same batch."""
    rows = [(str(p), int(rn), int(total)) for p, rn, total in store.query(scan_sql(query))]
    if not rows:
        return ScanPage((), query.offset, query.offset)
    total = rows[0][2]
    page = rows[:PAGE_CONTACTS]
    if len(rows) <= PAGE_CONTACTS:
        return ScanPage(tuple(p for p, _, _ in page), total, total)
    last, following = page[-1][1], rows[PAGE_CONTACTS][1]
    batches = -(-(last - query.offset) // BATCH)
    processed = min(query.offset + batches * BATCH, following - 1, total)
    return ScanPage(tuple(p for p, _, _ in page), processed, total)
