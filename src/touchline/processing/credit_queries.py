"""The credits SQL, written once in DuckDB's dialect (rendered for ClickHouse by store/dialect).

One statement credits a set of conversions under every model; the data-driven columns scale each
touch by its channel's fitted weight. Definitions: domain/attribution/models.py; how the statement
is laid out and why: docs/attribution-engine.md.
"""

from __future__ import annotations

from typing import Final

from touchline.domain.attribution.touches import (
    DIRECT,
    ENGAGEMENT_FLOOR,
    IMPRESSION,
    SESSION,
    SYNTHETIC,
    SYNTHETIC_ENGAGEMENT_FLOOR,
)
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

# --- The credits statement ------------------------------------------------------------------
# Inside it a person is a UInt64 key: the hash of the customer an identifier or visitor is linked
# to, else the visitor key, else the hash of the raw identifier (`hash` is cityHash64 on
# ClickHouse; a key never leaves the engine, so the two engines need not agree). Integer keys
# make the person join about twice as fast as the strings of `with_person`.
PERSON_KEYS: Final = """key_links AS (
  SELECT kind, value, hash(customer_id) AS person FROM identity_map
  WHERE profile_id = $profile AND customer_id <> '' AND kind <> 'anonymous_id'
),
key_visitors AS (
  SELECT visitor_key AS linked_key, hash(customer_id) AS person FROM identity_map
  WHERE profile_id = $profile AND customer_id <> '' AND kind = 'anonymous_id'
)"""


RAW_IDENTITY: Final = (
    "hash(coalesce({alias}.identity_kind, '') || ':' || coalesce({alias}.identity_value, ''))"
)


def person_key(alias: str) -> str:
    """The person key of `alias`'s row (joined with `key_links kl`, `key_visitors kv`); the
    `nullif`s because ClickHouse fills outer-join misses with 0 rather than NULL."""
    return (
        "coalesce(nullif(kl.person, 0), nullif(kv.person, 0),"
        f" nullif({alias}.visitor_key, 0), {RAW_IDENTITY.format(alias=alias)})"
    )


def key_joins(alias: str) -> str:
    """The outer joins `person_key(alias)` reads."""
    return (
        f"LEFT JOIN key_links kl ON kl.kind = {alias}.identity_kind"
        f" AND kl.value = {alias}.identity_value\n"
        f"  LEFT JOIN key_visitors kv ON kv.linked_key = {alias}.visitor_key"
    )


SCOPED_CONVERSIONS: Final = (
    "(person IN (SELECT unnest($persons)) OR conversion_id IN (SELECT unnest($conversions)))"
)
"""Credits recomputed incrementally: the conversions of `$persons` and the named ones."""

KIND_SQL: Final = (
    f"""CASE t.touch_type WHEN '{IMPRESSION}' THEN 2 WHEN '{SYNTHETIC}' THEN 1 ELSE 0 END"""
)


def _touch_keys(scoped: bool) -> str:
    """Narrow touches with their person (kind 0 session, 1 synthetic, 2 impression); scoped to
    the visitors of the conversions in scope, so an update reads few sessions."""
    visitors = (
        "AND s.visitor_key IN (SELECT linked_key FROM key_visitors WHERE person IN"
        " (SELECT person FROM convs) UNION ALL SELECT person FROM convs)"
        if scoped
        else ""
    )
    return f"""touches AS (
  SELECT s.session_key AS touch_key, 0 AS kind, epoch_us(s.started_at) AS t_us, s.channel,
    coalesce(s.engagement_score, 0) AS engagement_score,
    coalesce(nullif(kv.person, 0), s.visitor_key) AS person
  FROM sessions s LEFT JOIN key_visitors kv ON kv.linked_key = s.visitor_key
  WHERE s.profile_id = $profile AND s.pageviews + s.interactions > 0 {visitors}
  UNION ALL
  SELECT t.touch_key, {KIND_SQL}, epoch_us(t.ts), t.channel,
    coalesce(t.engagement_score, 0), {person_key("t")}
  FROM touch_rows t
  {key_joins("t")}
  WHERE t.profile_id = $profile
)"""


def _conversion_keys(scoped: bool) -> str:
    """Eligible conversions with their person. Scoped, the rows that could belong to `$persons`
    (by visitor, linked identifier or raw identifier) are picked before the person joins, so an
    update resolves a few conversions rather than all of them."""
    candidates = (
        "AND (c.conversion_id IN (SELECT unnest($conversions))"
        " OR c.visitor_key IN (SELECT linked_key FROM key_visitors WHERE person IN"
        " (SELECT unnest($persons)) UNION ALL SELECT CAST(unnest($persons) AS UBIGINT))"
        " OR c.identity_value IN (SELECT value FROM key_links WHERE person IN"
        " (SELECT unnest($persons)))"
        f" OR {RAW_IDENTITY.format(alias='c')} IN (SELECT unnest($persons)))"
        if scoped
        else ""
    )
    scope = f"WHERE {SCOPED_CONVERSIONS}" if scoped else ""
    return f"""conv_keys AS (
  SELECT c.conversion_id, epoch_us(c.ts) AS c_us, {person_key("c")} AS person
  FROM conversions c
  {key_joins("c")}
  WHERE c.profile_id = $profile AND c.attribution_eligible AND c.refund_of = '' {candidates}
),
convs AS (SELECT * FROM conv_keys {scope})"""


# Each conversion's touches in narrow rows (no dimensions: the window and the GROUP BY move
# only numbers), numbered oldest first by one window, totalled by one GROUP BY.
RANKED: Final = f"""pairs AS (
  SELECT c.conversion_id, t.touch_key, t.kind, t.t_us, t.channel, t.engagement_score,
    c.c_us - t.t_us AS gap
  FROM convs c JOIN touches t ON t.person = c.person
  WHERE c.c_us >= t.t_us AND c.c_us - t.t_us <= $reach_us
),
windowed AS (
  SELECT *,
    CASE WHEN kind = 2 THEN gap <= $view_us ELSE gap <= $click_us END AS in_click,
    CASE WHEN kind = 2 THEN gap <= $view_us ELSE gap <= $first_us END AS in_first
  FROM pairs
),
ranked AS (
  SELECT w.conversion_id, w.touch_key, w.t_us, w.in_click, w.in_first,
    row_number() OVER (PARTITION BY w.conversion_id ORDER BY w.t_us, w.touch_key) AS position,
    CASE WHEN w.in_click AND w.channel <> '{DIRECT}' THEN 1 ELSE 0 END AS non_direct,
    CASE WHEN w.in_click THEN pow(2.0, -w.gap / $half_life_us) ELSE 0.0 END AS decay,
    CASE WHEN NOT w.in_click THEN 0
         WHEN w.kind = 1 THEN greatest(w.engagement_score, {SYNTHETIC_ENGAGEMENT_FLOOR})
         ELSE greatest(least(w.engagement_score, 100), {ENGAGEMENT_FLOOR}) END AS engaged,
    CASE WHEN w.in_click THEN greatest(coalesce(mw.weight, 0.0), 0.0) ELSE 0.0 END AS markov_w,
    CASE WHEN w.in_click THEN greatest(coalesce(sw.weight, 0.0), 0.0) ELSE 0.0 END AS shapley_w
  FROM windowed w
  LEFT JOIN (SELECT channel AS mc, weight FROM channel_weights
             WHERE profile_id = $profile AND model = 'markov') mw ON mw.mc = w.channel
  LEFT JOIN (SELECT channel AS sc, weight FROM channel_weights
             WHERE profile_id = $profile AND model = 'shapley') sw ON sw.sc = w.channel
  WHERE w.in_click OR w.in_first
),
totals AS (
  SELECT conversion_id AS total_of,
    count(CASE WHEN in_click THEN 1 END) AS n,
    min(CASE WHEN in_click THEN position END) AS first_click,
    max(CASE WHEN in_click THEN position END) AS last_click,
    min(CASE WHEN in_first THEN position END) AS first_any,
    max(CASE WHEN non_direct = 1 THEN position END) AS last_nd,
    sum(decay) AS decay_sum, sum(engaged) AS engaged_sum,
    sum(markov_w) AS markov_sum, sum(shapley_w) AS shapley_sum
  FROM ranked GROUP BY conversion_id
),
credited AS (
  SELECT r.conversion_id, r.touch_key, r.position, {{models}}
  FROM ranked r JOIN totals g ON g.total_of = r.conversion_id
)"""


def _touch_dims(scoped: bool) -> str:
    """What a credit row copies from its touch (scoped like `_touch_keys`)."""
    visitors = (
        "AND visitor_key IN (SELECT linked_key FROM key_visitors WHERE person IN"
        " (SELECT person FROM convs) UNION ALL SELECT person FROM convs)"
        if scoped
        else ""
    )
    return f"""touch_dims AS (
  SELECT session_key AS touch_key, '{SESSION}' AS touch_type, started_at AS touch_ts, channel,
    utm_source, utm_medium, utm_campaign, utm_content, utm_term,
    '' AS campaign_id, '' AS ad_set_id, '' AS ad_id
  FROM sessions WHERE profile_id = $profile AND pageviews + interactions > 0 {visitors}
  UNION ALL
  SELECT touch_key, touch_type, ts, {TOUCH_COLUMNS} FROM touch_rows WHERE profile_id = $profile
)"""


def insert_credits(*, scoped: bool) -> str:
    """Credits of the profile's conversions (all, or those in SCOPED_CONVERSIONS): every model
    in one statement; the dimensions are joined last, to rows already credited."""
    ranked = RANKED.replace("{models}", MODEL_SQL)
    dims = ", ".join(f"d.{c}" for c in TOUCH_COLUMNS.split(", "))
    models = ", ".join(f"r.{m}" for m in CREDIT_MODELS)
    return f"""INSERT INTO credits ({", ".join(CREDIT_COLUMNS)})
WITH {PERSON_KEYS}, {_conversion_keys(scoped)}, {_touch_keys(scoped)},
{ranked}, {_touch_dims(scoped)}
SELECT $profile AS profile_id, r.conversion_id, r.touch_key, d.touch_type, d.touch_ts,
  c.ts AS conversion_ts, CAST(r.position AS INTEGER) AS position, c.goal_key, c.revenue_type,
  c.reporting_value, {dims}, {models}, $version AS version
FROM credited r
JOIN conversions c ON c.profile_id = $profile AND c.conversion_id = r.conversion_id
JOIN touch_dims d ON d.touch_key = r.touch_key"""


# A model's share of one touch; rows outside the model's window get 0. Positions are among the
# conversion's credited touches (click, view or first-touch window), oldest first.
_C = "CASE WHEN NOT in_click THEN 0.0"
_ENDS = "position = first_click OR position = last_click"
_MIDDLE = "CAST(greatest(n - 2, 1) AS DOUBLE)"
_MODELS: Final = {
    "last_touch": f"{_C} WHEN position = last_click THEN 1.0 ELSE 0.0 END",
    "first_touch": "CASE WHEN in_first AND position = first_any THEN 1.0 ELSE 0.0 END",
    "split_50_50": f"{_C} WHEN n = 1 THEN 1.0 WHEN {_ENDS} THEN 0.5 ELSE 0.0 END",
    "linear": f"{_C} ELSE 1.0 / n END",
    "position_based": f"{_C} WHEN n = 1 THEN 1.0 WHEN n = 2 THEN 0.5"
    f" WHEN {_ENDS} THEN 0.4 ELSE 0.2 / {_MIDDLE} END",
    "time_decay": f"{_C} WHEN decay_sum > 0 THEN decay / decay_sum ELSE 1.0 / n END",
    "last_non_direct": f"{_C} WHEN position = coalesce(last_nd, last_click) THEN 1.0 ELSE 0.0 END",
    "custom_weighted": f"{_C} WHEN n = 1 THEN 1.0"
    " WHEN n = 2 AND $w_first + $w_last = 0 THEN 0.5"
    " WHEN n = 2 THEN CAST(CASE WHEN position = first_click THEN $w_first ELSE $w_last END"
    " AS DOUBLE) / ($w_first + $w_last)"
    " WHEN position = first_click THEN $w_first / 100.0"
    " WHEN position = last_click THEN $w_last / 100.0"
    f" ELSE $w_middle / 100.0 / {_MIDDLE} END",
    "engagement_weighted": f"{_C} ELSE CAST(engaged AS DOUBLE) / engaged_sum END",
    "markov": f"{_C} WHEN markov_sum > 0 THEN markov_w / markov_sum ELSE 1.0 / n END",
    "shapley": f"{_C} WHEN shapley_sum > 0 THEN shapley_w / shapley_sum ELSE 1.0 / n END",
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
WHERE profile_id = $profile AND version < $version
  AND conversion_id IN (SELECT unnest($conversions))"""

CONVERSIONS_IN_SCOPE: Final = f"""WITH {PERSON_KEYS}, {_conversion_keys(True)}
SELECT conversion_id FROM convs"""
"""The eligible conversions of the dirty persons, and the named ones."""

REFUNDS_OF: Final = """SELECT conversion_id FROM conversions
WHERE profile_id = $profile AND refund_of <> '' AND refund_of IN (SELECT unnest($conversions))"""

CHANGED_CONVERSIONS: Final = """SELECT conversion_id FROM conversions
WHERE profile_id = $profile AND version > $conversions_since
UNION
SELECT refund_of FROM conversions
WHERE profile_id = $profile AND refund_of <> '' AND version > $conversions_since"""
"""Conversions new or rewritten since the watermark (one that stopped being eligible loses its
rows), and payments with a new refund (whatever person the refund resolves to)."""

# Persons whose journeys changed since the watermarks: new or re-sessionized visits, new
# synthetic/impression touches, new conversions, identity links that moved.
DIRTY_PERSONS: Final = f"""WITH {PERSON_KEYS},
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
SELECT DISTINCT {person_key("x")} AS person FROM changed x
{key_joins("x")}"""

MOVED_VISITORS: Final = """SELECT DISTINCT visitor_key FROM identity_map
WHERE profile_id = $profile AND kind = 'anonymous_id' AND version > $identity_since"""

# Conversions credited to a visitor whose identity link moved (an unmerge can take a visitor
# away from the customer whose conversions it was credited to).
CREDITED_TO_MOVED_VISITORS: Final = """SELECT DISTINCT c.conversion_id FROM credits c
JOIN sessions s ON s.profile_id = c.profile_id AND s.session_key = c.touch_key
WHERE c.profile_id = $profile AND c.touch_type = 'session'
  AND s.visitor_key IN (SELECT unnest($visitors))"""

VERSIONS: Final = """SELECT
  (SELECT coalesce(max(version), 0) FROM sessions WHERE profile_id = $profile),
  (SELECT coalesce(max(version), 0) FROM touch_rows WHERE profile_id = $profile),
  (SELECT coalesce(max(version), 0) FROM conversions WHERE profile_id = $profile),
  (SELECT coalesce(max(version), 0) FROM identity_map WHERE profile_id = $profile)"""


def path_touches(*, converting: bool) -> str:
    """(path id, touch time in µs, touch key, channel) of every journey the data-driven models
    fit, ordered by path and time: each eligible conversion's click-window touches (impressions
    aside; the path id is a hash of the conversion, as a sort on integers is several times
    cheaper), or each non-converting person's visits in the click window before their last."""
    head = f"WITH {PERSON_KEYS}, {_conversion_keys(False)}, {_touch_keys(False)}"
    if converting:
        return f"""{head}
SELECT hash(c.conversion_id) AS path_id, t.t_us AS touch_ts, t.touch_key, t.channel
FROM convs c JOIN touches t ON t.person = c.person
WHERE t.kind <> 2 AND c.c_us >= t.t_us AND c.c_us - t.t_us <= $click_us
ORDER BY path_id, touch_ts, t.touch_key"""
    return f"""{head},
quiet AS (
  SELECT person, max(t_us) AS last_us FROM touches
  WHERE kind = 0 AND person NOT IN (SELECT person FROM convs)
  GROUP BY person
)
SELECT t.person AS path_id, t.t_us AS touch_ts, t.touch_key, t.channel
FROM touches t JOIN quiet q ON q.person = t.person
WHERE t.kind = 0 AND q.last_us - t.t_us <= $click_us
ORDER BY path_id, touch_ts, t.touch_key"""
