"""Filters rendered to SQL: which visits (sessions) and which touches a report counts.

A filter restricts the *sessions* counted (docs/decisions/0951). Session dimensions compare the
visit's own column; `page` asks whether the visit viewed a matching page and `goal` whether it
contained or led to a matching conversion (a negated operator keeps the visits where none
matched). Touches (credit rows) carry their visit's dimensions, their own channel and campaign
and their conversion's goal; touches that are not visits have empty visit dimensions.
Values are bound as parameters, never pasted into SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from touchline.analytics.attribution import credit_column
from touchline.analytics.filters import Dimension, Filter, Operator
from touchline.analytics.period_credits import PERIOD_CREDITS, VISIT_COLUMNS
from touchline.domain.attribution.settings import Model
from touchline.domain.channels import CHANNEL_ALIASES
from touchline.processing.session_queries import IS_VISIT

NONE_LABEL: Final = "(none)"  # how an empty value is reported, and matched by is/is_not

# Dimension → the sessions column holding it (one value per visit).
SESSION_COLUMNS: Final[dict[Dimension, str]] = {
    Dimension.CHANNEL: "channel",
    Dimension.REFERRER: "referrer_domain",
    Dimension.CAMPAIGN: "utm_campaign",
    Dimension.ENTRY_PAGE: "entry_path",
    Dimension.EXIT_PAGE: "exit_path",
    Dimension.COUNTRY: "country",
    Dimension.REGION: "region",
    Dimension.CITY: "city",
    Dimension.BROWSER: "browser",
    Dimension.OS: "os",
    Dimension.DEVICE: "device",
}
VISIT_DIMENSIONS: Final = frozenset(SESSION_COLUMNS)
assert set(VISIT_COLUMNS) == {c for d, c in SESSION_COLUMNS.items()} - {"channel", "utm_campaign"}
# Touches have their own channel, campaign and goal; the rest come from their visit.
TOUCH_DIMENSIONS: Final = VISIT_DIMENSIONS | {Dimension.GOAL}


def sessions_sql(where: str = "TRUE") -> str:
    """The profile's visits (sessions with a page view or interaction) with each visit
    dimension under its dimension's name."""
    dims = ", ".join(f"{column} AS {dim.value}" for dim, column in SESSION_COLUMNS.items())
    return f"""SELECT session_key, visitor_key, started_at, ended_at, pageviews, bounced,
    engaged_ms, previous_start_us, next_start_us, {dims}
  FROM sessions WHERE profile_id = $profile AND {IS_VISIT} AND {where}"""


def period_sessions_sql() -> str:
    """The visits that started in the period (`$start`..`$end`)."""
    return sessions_sql("started_at >= $start AND started_at < $end")


def page_views_sql(*, in_period: bool = False) -> str:
    """(session_key, value = page path, views) of every visit's page views (the pages the
    sessions update stored, `session_pages`); `in_period`: only of the visits started in the
    period (`$start`..`$end`)."""
    period = "AND started_at >= $start AND started_at < $end" if in_period else ""
    return f"""SELECT session_key, path AS value, views
  FROM session_pages WHERE profile_id = $profile {period}"""


def session_goals_sql() -> str:
    """(session_key, value = goal key) of the conversions a visit contained (its visitor's,
    during it) or led to (it is a touch in the conversion's path). Refunds are no goal."""
    return """SELECT DISTINCT session_key, value FROM (
  SELECT s.session_key AS session_key, c.goal_key AS value
  FROM conversions c JOIN sessions s ON s.visitor_key = c.visitor_key
  WHERE c.profile_id = $profile AND s.profile_id = $profile AND c.refund_of = ''
    AND c.ts >= s.started_at AND c.ts <= s.ended_at
  UNION ALL
  SELECT r.touch_key AS session_key, c.goal_key AS value
  FROM credit_rows r JOIN conversions c
    ON c.profile_id = r.profile_id AND c.conversion_key = r.conversion_key
  WHERE r.profile_id = $profile AND c.profile_id = $profile AND c.refund_of = ''
) AS goals"""


MULTI_VALUED: Final = {Dimension.PAGE: page_views_sql, Dimension.GOAL: session_goals_sql}


def touches_sql(model: Model) -> str:
    """The credit rows of the period's conversions (refunds included), each with its touch's
    dimensions under their dimension names and its model share as `share`."""
    column = credit_column(model)
    visit = ", ".join(
        f"c.visit_{column} AS {dim.value}"
        for dim, column in SESSION_COLUMNS.items()
        if dim not in (Dimension.CHANNEL, Dimension.CAMPAIGN)
    )
    return f"""SELECT c.conversion_id AS conversion_id, c.touch_key AS touch_key,
    c.revenue_type AS revenue_type, c.reporting_value AS reporting_value,
    c.{column} AS {column}, c.{column} AS share, c.channel AS channel,
    c.utm_campaign AS campaign, c.goal_key AS goal, {visit}
  FROM ({PERIOD_CREDITS}) c
  WHERE c.profile_id = $profile AND c.conversion_ts >= $start AND c.conversion_ts < $end"""


@dataclass(frozen=True, slots=True)
class Segment:
    """The filters of a request, one per dimension (a repeated dimension: the last wins)."""

    filters: tuple[Filter, ...] = ()

    @classmethod
    def of(cls, filters: Iterable[Filter]) -> Segment:
        last = {f.dimension: _canonical(f) for f in filters}
        return cls(tuple(last.values()))

    def __bool__(self) -> bool:
        return bool(self.filters)

    def params(self) -> dict[str, Any]:
        return {f"f{n}": _bound(f) for n, f in enumerate(self.filters)}

    def sessions_where(self, alias: str) -> str:
        """SQL true for the visits (a `sessions_sql` row as `alias`) every filter keeps."""
        return self._where(alias, key="session_key", columns=VISIT_DIMENSIONS)

    def touches_where(self, alias: str) -> str:
        """SQL true for the touches (a `touches_sql` row as `alias`) every filter keeps."""
        return self._where(alias, key="touch_key", columns=TOUCH_DIMENSIONS)

    def _where(self, alias: str, *, key: str, columns: frozenset[Dimension]) -> str:
        parts = []
        for n, f in enumerate(self.filters):
            if f.dimension in columns:
                parts.append(predicate(f"{alias}.{f.dimension.value}", f, f"$f{n}"))
                continue
            positive = predicate("m.value", _positive(f), f"$f{n}")
            pairs = MULTI_VALUED[f.dimension]()
            inside = f"SELECT m.session_key FROM ({pairs}) m WHERE {positive}"
            parts.append(f"{alias}.{key} {'NOT IN' if f.operator.negated else 'IN'} ({inside})")
        return " AND ".join(parts) or "TRUE"

    def matches(self, dimension: Dimension, *values: str) -> bool:
        """Whether an item whose `dimension` has any of `values` passes this segment's filter
        on that dimension (the spend of a campaign known by id and name)."""
        found = [f for f in self.filters if f.dimension is dimension]
        return all(matches(f, values) for f in found)

    def only(self, *dimensions: Dimension) -> bool:
        return all(f.dimension in dimensions for f in self.filters)


EVERYTHING: Final = Segment()
"""No filters: every visit and touch."""


def predicate(column: str, f: Filter, param: str) -> str:
    if f.operator is Operator.IS:
        return f"{column} = {param}"
    if f.operator is Operator.IS_NOT:
        return f"{column} <> {param}"
    found = f"strpos(lower({column}), {param})"
    return f"{found} > 0" if f.operator is Operator.CONTAINS else f"{found} = 0"


def matches(f: Filter, values: Iterable[str]) -> bool:
    """The filter in Python, as the SQL evaluates it: any value matching a positive operator;
    none matching for a negated one."""
    needle = _bound(f)
    positive = _positive(f).operator
    if positive is Operator.IS:
        hit = any(value == needle for value in values)
    else:
        hit = any(needle in value.lower() for value in values)
    return not hit if f.operator.negated else hit


def _positive(f: Filter) -> Filter:
    flipped = {Operator.IS_NOT: Operator.IS, Operator.NOT_CONTAINS: Operator.CONTAINS}
    return Filter(f.dimension, flipped.get(f.operator, f.operator), f.value)


def _canonical(f: Filter) -> Filter:
    if f.dimension is Dimension.CHANNEL and f.value in CHANNEL_ALIASES:
        return Filter(f.dimension, f.operator, CHANNEL_ALIASES[f.value].value)
    return f


def _bound(f: Filter) -> str:
    """The parameter value: lowercased for contains; `(none)` is the empty value for is."""
    if f.operator in (Operator.CONTAINS, Operator.NOT_CONTAINS):
        return f.value.lower()
    return "" if f.value == NONE_LABEL else f.value
