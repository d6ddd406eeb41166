"""The sessionization SQL, written once in DuckDB's dialect (store/dialect.py renders it for
ClickHouse). Mirrors domain/sessions.py: `split_sessions` + `describe_session` per visitor.

Shape, chosen for speed (docs/decisions/0401): narrow window passes over (visitor, time) find
each session's first and last event and running totals; only those two events are joined back
for the text fields. Each event's engagement signal (a scroll depth, a video or an error
report) rides along as one small integer; the session's score is domain/engagement.py's
formula rendered in SQL (docs/decisions/0751).
"""

from __future__ import annotations

from typing import Final

from touchline.domain.engagement import (
    ENGAGEMENT_TYPE,
    ERROR_EVENT,
    SCROLL_FIELDS,
    VIDEO_EVENT,
    score_sql,
)
from touchline.domain.sessions import (
    ENGAGED_ALLOWANCE_MS,
    ENTRY_FIELDS,
    FIRST_PARTY_ORIGINS,
    PAGE_VIEW,
    PASSIVE_TYPES,
    SessionRule,
)
from touchline.store.schema import SESSION_PAGES, STORED_SESSION_COLUMN_NAMES

SESSIONS_TABLE: Final = "sessions"
PAGES_TABLE: Final = SESSION_PAGES.name
IS_VISIT: Final = "pageviews + interactions > 0"
SCOPE_TABLE: Final = "session_scope"


def _in_list(values: frozenset[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


_COLUMNS = ", ".join(STORED_SESSION_COLUMN_NAMES)
_PAGE_COLUMNS = ", ".join(SESSION_PAGES.column_names)
_ORDER = "PARTITION BY visitor_key ORDER BY ts, event_id"
_RUNNING = f"({_ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
_FLAGS = f"""CASE WHEN e.type = '{PAGE_VIEW}' THEN 1 ELSE 0 END AS is_view,
    CASE WHEN e.type IN {_in_list(PASSIVE_TYPES)} THEN 0 ELSE 1 END AS is_active"""


# One small integer carries an event's engagement signal through the window passes (one
# column sorts cheaper than three): the whole scroll percent a scroll report gives (0-100,
# domain.engagement.reported_scroll), a code above 100 for a video or an error report, else
# NULL.
_VIDEO_SIGNAL: Final = 1000
_ERROR_SIGNAL: Final = 2000


def _depth(field: str) -> str:
    """A payload field as a whole percent from 0 to 100 (a number, or a number as text);
    NULL for anything else, NaN and out-of-range values included."""
    raw = f"TRY_CAST(json_extract_string(e.payload, '$.{field}') AS DOUBLE)"
    return f"CASE WHEN {raw} >= 0 AND {raw} <= 100 THEN CAST(floor({raw}) AS INTEGER) END"


_SCROLL_REPORTS = "\n      ".join(
    f"WHEN e.name = '{name}' THEN {_depth(field)}" for name, field in sorted(SCROLL_FIELDS.items())
)
# Payloads are JSON objects the pipeline encoded (or empty); only scroll reports' are parsed.
_SIGNAL = f"""CASE WHEN e.type <> '{ENGAGEMENT_TYPE}' THEN NULL
      WHEN e.name = '{VIDEO_EVENT}' THEN {_VIDEO_SIGNAL}
      WHEN e.name = '{ERROR_EVENT}' THEN {_ERROR_SIGNAL}
      WHEN e.payload = '' THEN NULL
      {_SCROLL_REPORTS}
      END AS signal"""


# The marketing source a page view brings (SessionEvent.source): click id, else the UTM set,
# else an external referrer; payment returns and other events bring none.
_SOURCE = f"""CASE
      WHEN e.type <> '{PAGE_VIEW}' OR e.is_payment_return THEN ''
      WHEN e.click_id <> '' THEN 'c:' || e.click_id_type || ':' || e.click_id
      WHEN e.utm_source <> '' OR e.utm_medium <> '' OR e.utm_campaign <> ''
        OR e.utm_content <> '' OR e.utm_term <> ''
        THEN 'u:' || e.utm_source || '|' || e.utm_medium || '|' || e.utm_campaign || '|'
          || e.utm_content || '|' || e.utm_term
      WHEN e.referrer_domain <> '' THEN 'r:' || e.referrer_domain
      ELSE '' END AS source"""


def _events(*, scoped: bool, with_source: bool) -> str:
    """A profile's first-party events (narrow): all of them, or the scoped visitors' events
    from the start of the session each had open before its new events."""
    fields = "e.visitor_key, e.ts, epoch_us(e.ts) AS t, e.event_id, e.engaged_ms, "
    fields += f"{_FLAGS},\n    {_SIGNAL}"
    if with_source:
        fields += ", " + _SOURCE
    where = f"e.profile_id = $profile AND e.origin IN {_in_list(FIRST_PARTY_ORIGINS)}"
    if not scoped:
        return f"SELECT {fields}\n  FROM events e WHERE {where}"
    return f"""SELECT {fields}
  FROM events e JOIN {SCOPE_TABLE} s ON s.visitor_key = e.visitor_key
  WHERE {where} AND s.profile_id = $profile AND e.ts >= $floor AND e.ts >= s.from_ts"""


# Running totals at each event; a session's totals are its last event's minus its first's.
_TOTALS = f"""row_number() OVER w AS seq,
    sum(is_view) OVER {_RUNNING} AS views,
    sum(is_active) OVER {_RUNNING} AS actives,
    sum(engaged_ms) OVER {_RUNNING} AS engaged"""

# Inactivity only: a session starts after a gap longer than the timeout and ends before one.
# Times are epoch microseconds `t` (integer arithmetic: DuckDB's date_diff on TIMESTAMPTZ goes
# through a calendar and costs ~50x more). The first and last event of a visitor have no
# neighbour: DuckDB's lag/lead give NULL (hence the coalesce), ClickHouse's give the type's
# default, 0, a gap larger than any timeout on either side (hence the abs) — both read as
# "starts" / "ends".
_GAP_BEFORE = "coalesce(t - lag(t) OVER w > $timeout_us, true)"
_GAP_AFTER = "coalesce(abs(lead(t) OVER w - t) > $timeout_us, true)"
_BY_INACTIVITY = f"""edges AS (
  SELECT visitor_key, ts, t, event_id, is_view, is_active, engaged_ms, signal,
    {_GAP_BEFORE} AS is_start,
    {_GAP_AFTER} AS is_end,
    {_TOTALS}
  FROM ev WINDOW w AS ({_ORDER})
)"""

# Inactivity or source change: within an inactivity segment, a page view splits when it brings
# a source other than the last one seen, after an earlier page view, at a later instant.
_BY_SOURCE = f"""idled AS (
  SELECT *,
    {_GAP_BEFORE} AS idle,
    t > lag(t) OVER w AS moved_on
  FROM ev WINDOW w AS ({_ORDER})
), segmented AS (
  SELECT *, sum(CASE WHEN idle THEN 1 ELSE 0 END) OVER {_RUNNING} AS segment
  FROM idled
), sourced AS (
  SELECT *,
    sum(is_view) OVER (PARTITION BY visitor_key, segment ORDER BY ts, event_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS views_so_far,
    lag(source, 1, '') OVER (PARTITION BY visitor_key, segment, source <> ''
      ORDER BY ts, event_id) AS prev_source
  FROM segmented
), marked AS (
  SELECT visitor_key, ts, t, event_id, is_view, is_active, engaged_ms, signal,
    idle OR (source <> '' AND moved_on AND views_so_far > 1 AND prev_source <> source)
      AS is_start
  FROM sourced
), edges AS (
  SELECT *,
    lead(CASE WHEN is_start THEN 1 ELSE 0 END, 1, 1) OVER w = 1 AS is_end,
    {_TOTALS}
  FROM marked WINDOW w AS ({_ORDER})
)"""

# Each session's facts from the rows that matter: its first and last event, whose running
# totals bound it, and the engagement reports between them. A running count of starts numbers
# the sessions; then the smallest and largest running totals of a session are its first and
# last event's (every total only grows). Engaged time is capped as in domain/sessions.py.
_SPANS = f"""marks AS (
  SELECT visitor_key, ts, t, event_id, seq, views, actives, engaged,
    is_view, is_active, engaged_ms, signal,
    sum(CASE WHEN is_start THEN 1 ELSE 0 END) OVER (PARTITION BY visitor_key ORDER BY seq
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_no
  FROM edges
  WHERE is_start OR is_end OR signal IS NOT NULL
), spans AS (
  SELECT visitor_key, min(ts) AS started_at, CAST(min(t) AS UBIGINT) AS start_us,
    arg_min(event_id, seq) AS entry_id, max(ts) AS ended_at, arg_max(event_id, seq) AS exit_id,
    max(seq) - min(seq) + 1 AS events,
    max(views) - min(views - is_view) AS pageviews,
    max(actives) - min(actives - is_active) AS actives,
    least(max(engaged) - min(engaged - engaged_ms),
      (max(t) - min(t)) // 1000 + {ENGAGED_ALLOWANCE_MS}) AS engaged_ms,
    coalesce(max(CASE WHEN signal < {_VIDEO_SIGNAL} THEN signal END), 0) AS max_scroll,
    sum(CASE WHEN signal = {_VIDEO_SIGNAL} THEN 1 ELSE 0 END) AS videos,
    sum(CASE WHEN signal = {_ERROR_SIGNAL} THEN 1 ELSE 0 END) AS errors
  FROM marks GROUP BY visitor_key, session_no
), adjacent AS (
  SELECT *,
    coalesce(lag(start_us) OVER a, 0) AS previous_us,
    coalesce(lead(start_us) OVER a, 0) AS next_us
  FROM spans WINDOW a AS (PARTITION BY visitor_key ORDER BY start_us)
)"""
# Each session's neighbours' starts (0: none). An update rewrites a visitor's sessions from the
# one before its new events on, to the visitor's last; the session before that first one is
# the scope's `before_us`.

_SCORE = score_sql(
    engaged_ms="s.engaged_ms",
    max_scroll_percent="s.max_scroll",
    pageviews="s.pageviews",
    video_events="s.videos",
    error_events="s.errors",
)


def _facts(*, scoped: bool) -> str:
    """One row per session: totals from the spans, text fields from its first and last event.
    A full recompute writes them in time order, so reads of a period skip the rest of the
    table; an update's few recent sessions arrive in time order anyway."""
    entry = ",\n    ".join(f"e.{name}" for name in ENTRY_FIELDS)
    floor = " AND e.ts >= $floor" if scoped else ""
    exit_floor = " AND x.ts >= $floor" if scoped else ""
    before = "coalesce(b.before_us, 0)" if scoped else "0"
    scope_join = ""
    if scoped:
        on = "b.visitor_key = s.visitor_key AND b.profile_id = $profile"
        scope_join = f"\n  LEFT JOIN {SCOPE_TABLE} b ON {on}"
    return f"""SELECT $profile AS profile_id,
    CAST(CASE WHEN s.visitor_key >= s.start_us THEN s.visitor_key - s.start_us
      ELSE s.visitor_key + s.start_us END AS UBIGINT) AS session_key,
    s.visitor_key,
    s.started_at,
    s.ended_at,
    CAST(s.events AS INTEGER) AS events,
    CAST(s.pageviews AS INTEGER) AS pageviews,
    CAST(s.actives - s.pageviews AS INTEGER) AS interactions,
    s.pageviews <= 1 AND s.actives = s.pageviews AS bounced,
    CAST(s.engaged_ms AS BIGINT) AS engaged_ms,
    e.path AS entry_path,
    x.path AS exit_path,
    e.url AS landing_url,
    e.host,
    {entry},
    CAST($version AS BIGINT) AS version,
    CAST(s.max_scroll AS INTEGER) AS max_scroll_percent,
    CAST(s.videos AS INTEGER) AS video_events,
    CAST(s.errors AS INTEGER) AS error_events,
    CAST({_SCORE} AS INTEGER) AS engagement_score,
    CAST(CASE WHEN s.previous_us <> 0 THEN s.previous_us ELSE {before} END AS BIGINT)
      AS previous_start_us,
    CAST(s.next_us AS BIGINT) AS next_start_us
  FROM events e
  JOIN adjacent s ON e.visitor_key = s.visitor_key AND e.ts = s.started_at
    AND e.event_id = s.entry_id
  JOIN events x ON x.visitor_key = s.visitor_key AND x.ts = s.ended_at
    AND x.event_id = s.exit_id{scope_join}
  WHERE e.profile_id = $profile AND x.profile_id = $profile{floor}{exit_floor}
  {"" if scoped else "ORDER BY s.started_at"}"""


def select_sessions(rule: SessionRule, *, scoped: bool) -> str:
    """The sessions of a profile's events (all, or the scoped visitors'), at `$version`."""
    split = _BY_SOURCE if rule.split_on_source else _BY_INACTIVITY
    events = _events(scoped=scoped, with_source=rule.split_on_source)
    return f"WITH ev AS (\n  {events}\n), {split}, {_SPANS}\n{_facts(scoped=scoped)}"


def insert_sessions(rule: SessionRule, *, scoped: bool) -> str:
    return f"INSERT INTO {SESSIONS_TABLE} ({_COLUMNS})\n{select_sessions(rule, scoped=scoped)}"


def current_sessions(where: str) -> str:
    """The visits matching `where`: one row each, as every recompute deletes the rows it
    supersedes; runs of passive events only are stored but are no visit (0401)."""
    return f"SELECT * FROM {SESSIONS_TABLE} WHERE {where} AND {IS_VISIT}"


def insert_pages(*, scoped: bool) -> str:
    """The pages viewed in each session written at `$version`: its first-party page views, from
    its first event to its last, per path, with the session's own counts and neighbours."""
    # Every session rewritten by an update started at or after `$floor`: both sides skip the rest.
    floor = " AND e.ts >= $floor AND s.started_at >= $floor" if scoped else ""
    carried = "s.bounced, s.engaged_ms, s.previous_start_us, s.next_start_us, s.version"
    return f"""INSERT INTO {PAGES_TABLE} ({_PAGE_COLUMNS})
SELECT s.profile_id, s.session_key, s.visitor_key, s.started_at, e.path,
    CAST(count(*) AS INTEGER) AS views, {carried}
  FROM events e JOIN {SESSIONS_TABLE} s ON s.visitor_key = e.visitor_key
    AND e.ts >= s.started_at AND e.ts <= s.ended_at
  WHERE s.profile_id = $profile AND s.version = $version AND e.profile_id = $profile
    AND e.type = '{PAGE_VIEW}' AND e.origin IN {_in_list(FIRST_PARTY_ORIGINS)}{floor}
  GROUP BY s.profile_id, s.session_key, s.visitor_key, s.started_at, e.path, {carried}
  {"" if scoped else "ORDER BY s.started_at"}"""


def delete_superseded(*, scoped: bool, table: str = SESSIONS_TABLE) -> str:
    """Delete the rows an update replaced in `table` (sessions, or their pages): a profile's
    older rows, or the scoped visitors' older rows from where each recompute started.
    Rewritten sessions keep their `$version` rows. Every replaced row started at or after
    `$floor` (the earliest recompute start): the engine skips the older part of the table."""
    if not scoped:
        return f"DELETE FROM {table} WHERE profile_id = $profile AND version < $version"
    return f"""DELETE FROM {table}
  WHERE profile_id = $profile AND version < $version AND started_at >= $floor
    AND visitor_key IN (SELECT visitor_key FROM {SCOPE_TABLE} WHERE profile_id = $profile)
    AND session_key IN (
      SELECT c.session_key FROM {table} c
      JOIN {SCOPE_TABLE} s ON s.visitor_key = c.visitor_key
      WHERE c.profile_id = $profile AND s.profile_id = $profile AND c.version < $version
        AND c.started_at >= $floor AND c.started_at >= s.from_ts)"""


RECENT_EVENTS: Final = f"""SELECT profile_id, visitor_key, ts, origin FROM events
  WHERE received_at >= $since AND origin IN {_in_list(FIRST_PARTY_ORIGINS)}"""
"""The first-party events received since `$since` (what `catch_up_sessions` redoes)."""

SCOPE: Final = f"""SELECT s.profile_id, s.visitor_key, s.first_ts,
    max(CASE WHEN c.rank = 1 THEN c.started_at END) AS from_ts,
    max(CASE WHEN c.rank = 2 THEN epoch_us(c.started_at) END) AS before_us
  FROM {SCOPE_TABLE} s LEFT JOIN (
    SELECT visitor_key, started_at,
      row_number() OVER (PARTITION BY visitor_key ORDER BY started_at DESC) AS rank
    FROM (
      SELECT DISTINCT c.visitor_key AS visitor_key, c.started_at AS started_at
      FROM {SESSIONS_TABLE} c JOIN {SCOPE_TABLE} f ON f.visitor_key = c.visitor_key
      WHERE c.profile_id = $profile AND f.profile_id = $profile AND c.started_at < f.first_ts
    ) earlier
  ) c ON c.visitor_key = s.visitor_key
  WHERE s.profile_id = $profile
  GROUP BY s.profile_id, s.visitor_key, s.first_ts"""
"""Where each scoped visitor's recompute starts: the latest session start before its first new
event (NULL when none: the caller reads that as "from the beginning"); and the start of the
session before that one (`before_us`, epoch µs), the first rewritten session's previous."""
