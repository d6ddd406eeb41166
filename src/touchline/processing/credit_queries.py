"""The credits SQL, written once in DuckDB's dialect (rendered for ClickHouse by store/dialect).

One statement computes every rule-based model for a set of conversions; the data-driven columns
scale each touch by its channel's fitted weight. Definitions: domain/attribution/models.py.
"""

from __future__ import annotations

from typing import Final

from touchline.store.schema import CREDIT_MODELS

# A person: the customer an identifier or visitor is linked to, else the visitor, else the raw
# identifier. Joins, not correlated subqueries (ClickHouse); `nullif` because ClickHouse's outer
# joins fill misses with '' rather than NULL.
LINKS: Final = """links AS (
  SELECT kind, value, customer_id FROM identity_map
  WHERE profile_id = $profile AND customer_id <> '' AND kind <> 'anonymous_id'
),
visitors AS (
  SELECT visitor_key AS linked_key, customer_id AS visitor_customer FROM identity_map
  WHERE profile_id = $profile AND customer_id <> '' AND kind = 'anonymous_id'
)"""


def with_person(source: str) -> str:
    """`source`'s rows (visitor_key, identity_kind, identity_value, …) plus their `person`."""
    return f"""SELECT x.*, coalesce(
    nullif(li.customer_id, ''), nullif(lv.visitor_customer, ''),
    CASE WHEN x.visitor_key <> 0 THEN 'v' || CAST(x.visitor_key AS VARCHAR) END,
    x.identity_kind || ':' || x.identity_value) AS person
  FROM {source} x
  LEFT JOIN links li ON li.kind = x.identity_kind AND li.value = x.identity_value
  LEFT JOIN visitors lv ON lv.linked_key = x.visitor_key"""


TOUCH_COLUMNS: Final = (
    "channel, utm_source, utm_medium, utm_campaign, utm_content, utm_term, "
    "campaign_id, ad_set_id, ad_id"
)

TOUCHES: Final = f"""touch_src AS (
  SELECT session_key AS touch_key, 'session' AS touch_type, started_at AS ts, visitor_key,
         '' AS identity_kind, '' AS identity_value,
         channel, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
         '' AS campaign_id, '' AS ad_set_id, '' AS ad_id, engagement_score
  FROM sessions WHERE profile_id = $profile AND pageviews + interactions > 0
  UNION ALL
  SELECT touch_key, touch_type, ts, visitor_key, identity_kind, identity_value,
         {TOUCH_COLUMNS}, engagement_score
  FROM touch_rows WHERE profile_id = $profile
),
touches AS ({with_person("touch_src")})"""

CONVERSIONS: Final = f"""conv_src AS (
  SELECT conversion_id, ts, visitor_key, identity_kind, identity_value, goal_key, revenue_type,
         reporting_value
  FROM conversions
  WHERE profile_id = $profile AND attribution_eligible AND refund_of = ''
),
convs AS ({with_person("conv_src")})"""


def insert_credits(*, scoped: bool) -> str:
    """Credits of the profile's conversions (all, or those of `$persons`/`$conversions`)."""
    scope = (
        "WHERE list_contains($persons, person) OR list_contains($conversions, conversion_id)"
        if scoped
        else ""
    )
    return f"""INSERT INTO credits ({", ".join(CREDIT_COLUMNS)})
WITH {LINKS}, {TOUCHES}, {CONVERSIONS},
scoped AS (SELECT * FROM convs {scope}),
pairs AS (
  SELECT c.conversion_id, c.ts AS conversion_ts, c.goal_key, c.revenue_type, c.reporting_value,
         t.touch_key, t.touch_type, t.ts AS touch_ts, t.engagement_score,
         t.{TOUCH_COLUMNS.replace(", ", ", t.")},
         date_diff('microsecond', t.ts, c.ts) AS gap
  FROM scoped c JOIN touches t ON t.person = c.person
),
windowed AS (
  SELECT *,
    CASE WHEN touch_type = 'impression' THEN gap <= $view_us ELSE gap <= $click_us END AS in_click,
    CASE WHEN touch_type = 'impression' THEN gap <= $view_us ELSE gap <= $first_us END AS in_first
  FROM pairs
),
kept AS (SELECT * FROM windowed WHERE gap >= 0 AND (in_click OR in_first)),
ranked AS (
  SELECT *,
    sum(CASE WHEN in_click THEN 1 ELSE 0 END) OVER (PARTITION BY conversion_id) AS n,
    sum(CASE WHEN in_click THEN 1 ELSE 0 END) OVER (PARTITION BY conversion_id
        ORDER BY touch_ts, touch_key ROWS UNBOUNDED PRECEDING) AS pos,
    sum(CASE WHEN in_first THEN 1 ELSE 0 END) OVER (PARTITION BY conversion_id
        ORDER BY touch_ts, touch_key ROWS UNBOUNDED PRECEDING) AS first_pos,
    CASE WHEN in_click THEN pow(2.0, -gap / $half_life_us) ELSE 0.0 END AS decay,
    CASE WHEN NOT in_click THEN 0
         WHEN touch_type = 'synthetic' THEN greatest(engagement_score, {SYNTHETIC_FLOOR})
         ELSE greatest(least(engagement_score, 100), {ENGAGEMENT_FLOOR}) END AS engaged,
    coalesce(mw.weight, 0.0) AS markov_w, coalesce(sw.weight, 0.0) AS shapley_w
  FROM kept
  LEFT JOIN (SELECT channel AS mc, weight FROM channel_weights
             WHERE profile_id = $profile AND model = 'markov') mw ON mw.mc = kept.channel
  LEFT JOIN (SELECT channel AS sc, weight FROM channel_weights
             WHERE profile_id = $profile AND model = 'shapley') sw ON sw.sc = kept.channel
),
totals AS (
  SELECT *,
    sum(decay) OVER (PARTITION BY conversion_id) AS decay_sum,
    sum(engaged) OVER (PARTITION BY conversion_id) AS engaged_sum,
    sum(CASE WHEN in_click THEN markov_w ELSE 0 END) OVER (PARTITION BY conversion_id) AS m_sum,
    sum(CASE WHEN in_click THEN shapley_w ELSE 0 END) OVER (PARTITION BY conversion_id) AS s_sum,
    coalesce(max(CASE WHEN in_click AND channel <> 'Direct' THEN pos END)
             OVER (PARTITION BY conversion_id), n) AS lnd_pos
  FROM ranked
)
SELECT $profile AS profile_id, conversion_id, touch_key, touch_type, touch_ts, conversion_ts,
  CAST(CASE WHEN in_click THEN pos ELSE first_pos END AS INTEGER) AS position,
  goal_key, revenue_type, reporting_value, {TOUCH_COLUMNS},
  {MODEL_SQL},
  $version AS version
FROM totals"""


SYNTHETIC_FLOOR: Final = 25  # domain.attribution.touches.SYNTHETIC_ENGAGEMENT_FLOOR
ENGAGEMENT_FLOOR: Final = 1  # domain.attribution.touches.ENGAGEMENT_FLOOR

_C = "CASE WHEN NOT in_click THEN 0.0"
_MODELS: Final = {
    "last_touch": f"{_C} WHEN pos = n THEN 1.0 ELSE 0.0 END",
    "first_touch": "CASE WHEN in_first AND first_pos = 1 THEN 1.0 ELSE 0.0 END",
    "split_50_50": f"{_C} WHEN n = 1 THEN 1.0 WHEN pos = 1 OR pos = n THEN 0.5 ELSE 0.0 END",
    "linear": f"{_C} ELSE 1.0 / n END",
    "position_based": f"{_C} WHEN n = 1 THEN 1.0 WHEN n = 2 THEN 0.5"
    " WHEN pos = 1 OR pos = n THEN 0.4 ELSE 0.2 / (n - 2) END",
    "time_decay": f"{_C} ELSE decay / decay_sum END",
    "last_non_direct": f"{_C} WHEN pos = lnd_pos THEN 1.0 ELSE 0.0 END",
    "custom_weighted": f"{_C} WHEN n = 1 THEN 1.0"
    " WHEN n = 2 AND $w_first + $w_last = 0 THEN 0.5"
    " WHEN n = 2 THEN CAST(CASE WHEN pos = 1 THEN $w_first ELSE $w_last END AS DOUBLE)"
    " / ($w_first + $w_last)"
    " WHEN pos = 1 THEN $w_first / 100.0 WHEN pos = n THEN $w_last / 100.0"
    " ELSE $w_middle / 100.0 / (n - 2) END",
    "engagement_weighted": f"{_C} ELSE CAST(engaged AS DOUBLE) / engaged_sum END",
    "markov": f"{_C} WHEN m_sum > 0 THEN markov_w / m_sum ELSE 1.0 / n END",
    "shapley": f"{_C} WHEN s_sum > 0 THEN shapley_w / s_sum ELSE 1.0 / n END",
}
assert tuple(_MODELS) == CREDIT_MODELS
MODEL_SQL: Final = ",\n  ".join(f"{sql} AS {name}" for name, sql in _MODELS.items())

CREDIT_COLUMNS: Final = (
    "profile_id", "conversion_id", "touch_key", "touch_type", "touch_ts", "conversion_ts",
    "position", "goal_key", "revenue_type", "reporting_value", "channel", "utm_source",
    "utm_medium", "utm_campaign", "utm_content", "utm_term", "campaign_id", "ad_set_id", "ad_id",
    *CREDIT_MODELS, "version",
)  # fmt: skip

# A refund is credited with its payment's shares (so it reduces cash on exactly those touches).
INSERT_REFUND_CREDITS: Final = f"""INSERT INTO credits ({", ".join(CREDIT_COLUMNS)})
SELECT r.profile_id, r.conversion_id, p.touch_key, p.touch_type, p.touch_ts, r.ts, p.position,
  r.goal_key, r.revenue_type, r.reporting_value,
  {", ".join("p." + c for c in TOUCH_COLUMNS.split(", "))},
  {", ".join("p." + m for m in CREDIT_MODELS)}, $version
FROM conversions r JOIN credits p
  ON p.profile_id = r.profile_id AND p.conversion_id = r.refund_of AND p.version = $version
WHERE r.profile_id = $profile AND r.refund_of <> ''"""

DELETE_SUPERSEDED_ALL: Final = (
    "DELETE FROM credits WHERE profile_id = $profile AND version < $version"
)
DELETE_SUPERSEDED_SCOPED: Final = """DELETE FROM credits
WHERE profile_id = $profile AND version < $version AND list_contains($conversions, conversion_id)"""

CONVERSIONS_IN_SCOPE: Final = f"""WITH {LINKS}, {CONVERSIONS}
SELECT conversion_id FROM convs
WHERE list_contains($persons, person) OR list_contains($conversions, conversion_id)"""
"""The eligible conversions of the dirty persons, and the named ones."""

REFUNDS_OF: Final = """SELECT conversion_id FROM conversions
WHERE profile_id = $profile AND refund_of <> '' AND list_contains($conversions, refund_of)"""

# Persons whose journeys changed since the watermarks: new or re-sessionized visits, new
# synthetic/impression touches, new conversions, identity links that moved.
DIRTY_PERSONS: Final = f"""WITH {LINKS},
changed AS (
  SELECT visitor_key, '' AS identity_kind, '' AS identity_value FROM sessions
  WHERE profile_id = $profile AND version > $sessions_since
  UNION ALL
  SELECT visitor_key, identity_kind, identity_value FROM touch_rows
  WHERE profile_id = $profile AND version > $touches_since
  UNION ALL
  SELECT visitor_key, identity_kind, identity_value FROM conversions
  WHERE profile_id = $profile AND version > $conversions_since
  UNION ALL
  SELECT visitor_key, kind AS identity_kind, value AS identity_value FROM identity_map
  WHERE profile_id = $profile AND version > $identity_since
)
SELECT DISTINCT person FROM ({with_person("changed")}) p"""

# Conversions credited to a visitor whose identity link moved (an unmerge can take a visitor
# away from the customer whose conversions it was credited to).
CREDITED_TO_MOVED_VISITORS: Final = """SELECT DISTINCT c.conversion_id FROM credits c
JOIN sessions s ON s.profile_id = c.profile_id AND s.session_key = c.touch_key
WHERE c.profile_id = $profile AND c.touch_type = 'session' AND s.visitor_key IN (
  SELECT visitor_key FROM identity_map
  WHERE profile_id = $profile AND kind = 'anonymous_id' AND version > $identity_since)"""

VERSIONS: Final = """SELECT
  (SELECT coalesce(max(version), 0) FROM sessions WHERE profile_id = $profile),
  (SELECT coalesce(max(version), 0) FROM touch_rows WHERE profile_id = $profile),
  (SELECT coalesce(max(version), 0) FROM conversions WHERE profile_id = $profile),
  (SELECT coalesce(max(version), 0) FROM identity_map WHERE profile_id = $profile)"""


def path_touches(*, converting: bool) -> str:
    """(path id, touch time, touch key, channel) of every journey the data-driven models fit:
    each eligible conversion's click-window touches, or each non-converting person's touches
    in the click window before their last one."""
    if converting:
        return f"""WITH {LINKS}, {TOUCHES}, {CONVERSIONS}
SELECT c.conversion_id AS path_id, t.ts AS touch_ts, t.touch_key, t.channel
FROM convs c JOIN touches t ON t.person = c.person
WHERE t.touch_type <> 'impression'
  AND date_diff('microsecond', t.ts, c.ts) BETWEEN 0 AND $click_us"""
    return f"""WITH {LINKS}, {TOUCHES}, {CONVERSIONS},
quiet AS (
  SELECT person, max(ts) AS last_ts FROM touches
  WHERE touch_type = 'session' AND person NOT IN (SELECT person FROM convs)
  GROUP BY person
)
SELECT t.person AS path_id, t.ts AS touch_ts, t.touch_key, t.channel
FROM touches t JOIN quiet ON quiet.person = t.person
WHERE t.touch_type = 'session' AND date_diff('microsecond', t.ts, quiet.last_ts) <= $click_us"""
