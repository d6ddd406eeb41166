"""Traffic of a segment: visitors, visits, pageviews, bounces and engaged time of the visits
that started in the period and pass the filters, grouped by any key (a local day, a dimension
value, or nothing). A visit counts on the local day it started (docs/decisions/0402).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from touchline.analytics.attribution import period_params
from touchline.analytics.filters import Dimension
from touchline.analytics.query import Period, bound_sql
from touchline.analytics.segments import (
    MULTI_VALUED,
    NONE_LABEL,
    Segment,
    period_sessions_sql,
)
from touchline.store.base import EventStore, Sql

TOTAL: Final = "''"  # the group of one row: the whole period


@dataclass(frozen=True, slots=True)
class Visits:
    """Exact counts; the rates derive from them, rounded once."""

    visitors: int = 0
    visits: int = 0
    pageviews: int = 0
    bounces: int = 0
    engaged_ms: int = 0

    @property
    def bounce_rate(self) -> float:
        """Bounced visits as a percentage of visits."""
        return round(100 * self.bounces / self.visits, 2) if self.visits else 0.0

    @property
    def avg_engaged_seconds(self) -> float:
        return round(self.engaged_ms / 1000 / self.visits, 2) if self.visits else 0.0


# A visit is its visitor's only one in the period when the visitor's neighbouring sessions
# started outside it: such visits count one visitor each without hashing (decision 0998); the
# others (and rows stored before their neighbours were) are grouped by visitor. Exact either
# way, and a plain two-level grouping: DuckDB runs a DISTINCT aggregate beside others through
# a materialized copy of every row.
_ONLY_VISIT: Final = """{v}.previous_start_us < epoch_us($start)
    AND ({v}.next_start_us = 0 OR {v}.next_start_us >= epoch_us($end))"""


def counts_sql(*, key: str, visit: str, views: str, source: str) -> str:
    """Per `key`: visitors, visits, pageviews (`views`), bounces and engaged ms of the visits
    `visit` (an alias of `sessions` or `session_pages` rows, all started in the period) that
    `source` (FROM … WHERE …) yields."""
    only = _ONLY_VISIT.format(v=visit)
    return f"""SELECT k, sum(n_only) + count(vk), sum(n_visits), sum(n_views), sum(n_bounces),
  sum(n_engaged)
FROM (
  SELECT {key} AS k, CASE WHEN {only} THEN NULL ELSE {visit}.visitor_key END AS vk,
    sum(CASE WHEN {only} THEN 1 ELSE 0 END) AS n_only, count(*) AS n_visits,
    sum({views}) AS n_views, sum(CASE WHEN {visit}.bounced THEN 1 ELSE 0 END) AS n_bounces,
    sum({visit}.engaged_ms) AS n_engaged
  {source}
  GROUP BY k, vk
) AS per_visitor
GROUP BY k"""


def visits_sql(profile_id: str, period: Period, segment: Segment, *, group: str) -> Sql:
    """Counts per `group`, an expression over the visit `s` (TOTAL for one row)."""
    params = {**period_params(profile_id, period), **segment.params()}
    source = f"FROM ({period_sessions_sql()}) s WHERE {segment.sessions_where('s')}"
    return bound_sql(counts_sql(key=group, visit="s", views="s.pageviews", source=source), params)


def visits_by_value_sql(
    profile_id: str, period: Period, segment: Segment, dimension: Dimension
) -> Sql:
    """Counts per value of a dimension a visit can have many of (pages viewed, goals): a
    page's pageviews are its own views; a visit counts once per value it has."""
    params = {**period_params(profile_id, period), **segment.params()}
    if dimension is Dimension.PAGE:
        return bound_sql(_page_visits_sql(segment), params)
    # (visit, value) pairs are distinct: a visit counts once per value.
    source = f"""FROM ({period_sessions_sql()}) s JOIN ({MULTI_VALUED[dimension]()}) p
    ON p.session_key = s.session_key
  WHERE {segment.sessions_where("s")}"""
    return bound_sql(
        counts_sql(key="p.value", visit="s", views="s.pageviews", source=source), params
    )


def _page_visits_sql(segment: Segment) -> str:
    """Per page: the stored pages of the period's visits carry their visit's counts, so only a
    segment needs the sessions (which visits it keeps)."""
    kept = ""
    if segment:
        kept = f"""AND p.session_key IN (SELECT s.session_key FROM ({period_sessions_sql()}) s
    WHERE {segment.sessions_where("s")})"""
    source = f"""FROM session_pages p
  WHERE p.profile_id = $profile AND p.started_at >= $start AND p.started_at < $end {kept}"""
    return counts_sql(key="p.path", visit="p", views="p.views", source=source)


def visits_of(rows: Sequence[tuple[Any, ...]]) -> dict[Any, Visits]:
    """Rows of either query keyed by their group (empty text values as NONE_LABEL)."""
    out: dict[Any, Visits] = {}
    for key, *counts in rows:
        label = NONE_LABEL if key == "" or key is None else key
        out[label] = Visits(*(int(v or 0) for v in counts))
    return out


def total_visits(store: EventStore, *, profile_id: str, period: Period, segment: Segment) -> Visits:
    rows = store.query(visits_sql(profile_id, period, segment, group=TOTAL))
    return next(iter(visits_of(rows).values()), Visits())
