"""The `credits` view's rows of the period's conversions only, for reports.

The view joins every credit row to every session and touch row of the store (decision 0761):
at 10M events that is a hash join against ~3M sessions per report, paid again by each query.
Here the period's conversions pick their credit rows first, and sessions and touch rows are
looked up for those keys only (one lookup each, which the engine narrows with the keys it
holds). Same columns and values as the view. A right side without a match is found through
a marker column, since ClickHouse fills missing rows with default values, not NULL.
"""

from __future__ import annotations

from typing import Final

from touchline.processing.session_queries import IS_VISIT
from touchline.store.schema import CREDIT_MODELS

_UTMS: Final = (
    "channel", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "click_id",
)  # fmt: skip
_AD_IDS: Final = ("campaign_id", "ad_set_id", "ad_id")
# A visit's own dimensions (sessions with a page view or interaction), '' for other touches.
VISIT_COLUMNS: Final = (
    "referrer_domain", "entry_path", "exit_path", "country", "region", "city", "browser", "os",
    "device",
)  # fmt: skip
_IS_SESSION: Final = "coalesce(s.is_session, 0) = 1"
_IS_VISIT: Final = "coalesce(s.is_visit, 0) = 1"


def _either(column: str) -> str:
    return f"CASE WHEN {_IS_SESSION} THEN s.{column} ELSE t.{column} END AS {column}"


# The period's conversions pick their credit rows by key.
_PERIOD_ROWS: Final = """FROM credit_rows r
JOIN (
  SELECT conversion_id, conversion_key, ts, goal_key, revenue_type, reporting_value
  FROM conversions
  WHERE profile_id = $profile AND ts >= $start AND ts < $end
) c ON c.conversion_key = r.conversion_key"""


PERIOD_CREDITS: Final = f"""SELECT r.profile_id AS profile_id, c.conversion_id AS conversion_id,
  r.touch_key AS touch_key,
  CASE WHEN {_IS_SESSION} THEN 'session' ELSE t.touch_type END AS touch_type,
  CASE WHEN {_IS_SESSION} THEN s.started_at ELSE t.ts END AS touch_ts,
  c.ts AS conversion_ts, r.position AS position, c.goal_key AS goal_key,
  c.revenue_type AS revenue_type, c.reporting_value AS reporting_value,
  {", ".join(_either(column) for column in _UTMS)},
  {", ".join(f"CASE WHEN {_IS_SESSION} THEN '' ELSE t.{c} END AS {c}" for c in _AD_IDS)},
  {", ".join(f"CASE WHEN {_IS_VISIT} THEN s.{c} ELSE '' END AS visit_{c}" for c in VISIT_COLUMNS)},
  {", ".join(f"r.{model} AS {model}" for model in CREDIT_MODELS)}, r.version AS version
{_PERIOD_ROWS}
LEFT JOIN (
  SELECT session_key, started_at, {", ".join(_UTMS + VISIT_COLUMNS)}, 1 AS is_session,
    CASE WHEN {IS_VISIT} THEN 1 ELSE 0 END AS is_visit
  FROM sessions
  WHERE profile_id = $profile
) s ON s.session_key = r.touch_key
LEFT JOIN (
  SELECT touch_key, touch_type, ts, {", ".join(_UTMS + _AD_IDS)}, 1 AS is_touch FROM touch_rows
  WHERE profile_id = $profile
) t ON t.touch_key = r.touch_key
WHERE r.profile_id = $profile AND ({_IS_SESSION} OR coalesce(t.is_touch, 0) = 1)"""
"""What `FROM credits` gives for `profile_id = $profile AND conversion_ts in [$start, $end)`,
plus the touch's `click_id` (any click id the visit or touch carried, '' without) and, for a
visit, its VISIT_COLUMNS as `visit_<column>`."""

PERIOD_SHARES: Final = f"""SELECT r.profile_id AS profile_id, c.conversion_id AS conversion_id,
  r.touch_key AS touch_key, c.ts AS conversion_ts, c.goal_key AS goal_key,
  c.revenue_type AS revenue_type, c.reporting_value AS reporting_value,
  {", ".join(f"r.{model} AS {model}" for model in CREDIT_MODELS)}
{_PERIOD_ROWS}
WHERE r.profile_id = $profile"""
"""The period's credit rows with their conversion's columns and no touch's: what reports that
neither filter nor group by a touch's dimension read (a tenth of PERIOD_CREDITS' cost)."""
