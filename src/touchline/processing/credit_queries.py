"""The credits SQL, written once in DuckDB's dialect (rendered for ClickHouse by store/dialect).

Statements find the conversions to credit and every touch within their reach, in narrow rows
grouped by conversion; domain/attribution/shares.py turns those into every model's shares.
Definitions: domain/attribution/models.py; the layout and why: docs/attribution-engine.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from touchline.domain.attribution.touches import DIRECT, IMPRESSION, SYNTHETIC
from touchline.store.base import Sql


def bound(text: str, params: Mapping[str, Any]) -> Sql:
    """`text` with only the parameters it names (engines refuse extra ones)."""
    return Sql(text, {k: v for k, v in params.items() if f"${k}" in text})


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


def credited_conversions(*, scoped: bool) -> str:
    """The conversions to credit (every eligible one, or the eligible ones of `$conversions`:
    an update has found them with CONVERSIONS_IN_SCOPE) with their time and person key; the
    engine numbers them and hands them back as CONVERSION_INPUT."""
    named = "AND c.conversion_id IN (SELECT unnest($conversions))" if scoped else ""
    return f"""WITH {PERSON_KEYS}
SELECT c.conversion_id, c.conversion_key, epoch_us(c.ts) AS c_us, {person_key("c")} AS person
FROM conversions c
{key_joins("c")}
WHERE c.profile_id = $profile AND c.attribution_eligible AND c.refund_of = '' {named}"""


CONVERSION_INPUT: Final = "credited_input"
"""The Arrow relation (ordinal, conversion_id, conversion_key, c_us, person) the next statements
read."""


# The fitted channels, numbered from 1 in channel order (0: a channel without a fit); both
# statements below number them with this same text, so their codes agree.
FITTED: Final = """fitted AS (
  SELECT channel AS fitted_channel, row_number() OVER (ORDER BY channel) AS code,
    max(CASE WHEN model = 'markov' THEN weight ELSE 0.0 END) AS markov,
    max(CASE WHEN model = 'shapley' THEN weight ELSE 0.0 END) AS shapley
  FROM channel_weights WHERE profile_id = $profile GROUP BY channel
)"""

FITTED_WEIGHTS: Final = f"""WITH {FITTED}
SELECT code, markov, shapley FROM fitted ORDER BY code"""
"""Each fitted channel's code and Markov and Shapley weights."""

# A candidate's small attributes travel packed in one integer (`traits`), so ordering the rows
# moves three columns, not seven: engagement score (bits 0-31, negative scores as 0), kind
# (bits 32-33), Direct (bit 34) and the fitted channel's code (bits 35 and up).
TRAIT_KIND_SHIFT, TRAIT_DIRECT_SHIFT, TRAIT_CODE_SHIFT = 32, 34, 35
TRAITS_SQL: Final = (
    f"CAST(greatest(t.engagement_score, 0) AS BIGINT) + t.kind * {1 << TRAIT_KIND_SHIFT}"
    f" + CASE WHEN t.channel = '{DIRECT}' THEN {1 << TRAIT_DIRECT_SHIFT} ELSE 0 END"
    f" + coalesce(f.code, 0) * {1 << TRAIT_CODE_SHIFT}"
)


def candidate_touches(*, scoped: bool) -> str:
    """Every touch within reach of each conversion of CONVERSION_INPUT, in narrow rows
    (ordinal, gap, touch key, TRAITS_SQL): what domain/attribution/shares.py credits. The
    longest window bounds the pairs; each model's own window is applied there. Unordered: the
    engine's sort of the full rows costs several times what `shares.journey_order` does with
    one packed integer."""
    return f"""WITH {PERSON_KEYS},
convs AS (SELECT ordinal, c_us, person FROM {CONVERSION_INPUT}),
{_touch_keys(scoped)},
{FITTED}
SELECT c.ordinal, c.c_us - t.t_us AS gap, t.touch_key, {TRAITS_SQL} AS traits
FROM convs c JOIN touches t ON t.person = c.person
LEFT JOIN fitted f ON f.fitted_channel = t.channel
WHERE c.c_us >= t.t_us AND c.c_us - t.t_us <= $reach_us"""


REFUNDS_OF_CREDITED: Final = f"""SELECT r.conversion_key, i.ordinal AS payer
FROM conversions r JOIN {CONVERSION_INPUT} i ON i.conversion_id = r.refund_of
WHERE r.profile_id = $profile AND r.refund_of <> ''"""
"""Refunds of the conversions being credited, each with its payment's ordinal: it gets a copy of
that payment's rows. A conversion id is one row of the input (a profile's conversions are
unique by id), so the join finds each refund once; the engine's hash join of the few refunds
costs far less than looking a million ids up in Python."""

DELETE_SUPERSEDED_ALL: Final = (
    "DELETE FROM credit_rows WHERE profile_id = $profile AND version < $version"
)
DELETE_SUPERSEDED_SCOPED: Final = """DELETE FROM credit_rows
WHERE profile_id = $profile AND version < $version
  AND conversion_key IN (SELECT unnest($conversion_keys))"""

# The rows that could belong to `$persons` (by visitor, linked identifier or raw identifier)
# are picked before the person joins, so an update resolves a few conversions, not all.
CONVERSIONS_IN_SCOPE: Final = f"""WITH {PERSON_KEYS},
conv_keys AS (
  SELECT c.conversion_id, {person_key("c")} AS person
  FROM conversions c
  {key_joins("c")}
  WHERE c.profile_id = $profile AND c.attribution_eligible AND c.refund_of = ''
    AND (c.conversion_id IN (SELECT unnest($conversions))
      OR c.visitor_key IN (SELECT linked_key FROM key_visitors WHERE person IN
        (SELECT unnest($persons)) UNION ALL SELECT CAST(unnest($persons) AS UBIGINT))
      OR c.identity_value IN (SELECT value FROM key_links WHERE person IN
        (SELECT unnest($persons)))
      OR {RAW_IDENTITY.format(alias="c")} IN (SELECT unnest($persons)))
)
SELECT conversion_id FROM conv_keys WHERE {SCOPED_CONVERSIONS}"""
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
CREDITED_TO_MOVED_VISITORS: Final = """SELECT DISTINCT c.conversion_id FROM credit_rows r
JOIN sessions s ON s.profile_id = r.profile_id AND s.session_key = r.touch_key
JOIN conversions c ON c.profile_id = r.profile_id AND c.conversion_key = r.conversion_key
WHERE r.profile_id = $profile AND s.visitor_key IN (SELECT unnest($visitors))"""

VERSIONS: Final = """SELECT
  (SELECT coalesce(max(version), 0) FROM sessions WHERE profile_id = $profile),
  (SELECT coalesce(max(version), 0) FROM touch_rows WHERE profile_id = $profile),
  (SELECT coalesce(max(version), 0) FROM conversions WHERE profile_id = $profile),
  (SELECT coalesce(max(version), 0) FROM identity_map WHERE profile_id = $profile)"""


# The channels the fits can meet (every session's and touch row's of the profile: a superset),
# handed back numbered as CHANNEL_INPUT so JOURNEY_STEPS returns a small code per step instead
# of the channel's text (exporting and encoding 5M strings cost more than the whole fit).
JOURNEY_CHANNELS: Final = """SELECT DISTINCT coalesce(channel, '') FROM sessions
WHERE profile_id = $profile
UNION SELECT DISTINCT coalesce(channel, '') FROM touch_rows WHERE profile_id = $profile"""
CHANNEL_INPUT: Final = "channel_input"

# Every step of the journeys the data-driven models fit, unordered (numpy orders them:
# `shares.codes_in_journey_order`, `shares.journey_order`), in one statement and one join: each
# touch of a person with an eligible conversion joined to that person's conversions (numbered from
# 1), each visit of everyone else unjoined. A converting row (ordinal ≥ 1) is a click-window touch
# of that conversion, impressions aside, with its gap to it; a non-converting row (ordinal 0:
# ClickHouse's outer join fills misses with 0, DuckDB's with NULL) is a visit, `gap` minus its time:
# the visits within the click window before the person's last make their journey. Each row's channel
# is its code in CHANNEL_INPUT (0: a channel that appeared after JOURNEY_CHANNELS was read).
JOURNEY_STEPS: Final = f"""WITH {PERSON_KEYS},
convs AS (
  SELECT row_number() OVER () AS ordinal, epoch_us(c.ts) AS c_us, {person_key("c")} AS person
  FROM conversions c
  {key_joins("c")}
  WHERE c.profile_id = $profile AND c.attribution_eligible AND c.refund_of = ''
),
{_touch_keys(False)}
SELECT coalesce(c.ordinal, 0) AS ordinal, t.person AS person, coalesce(c.c_us, 0) - t.t_us AS gap,
  t.touch_key AS touch_key, coalesce(ch.code, 0) AS code
FROM touches t LEFT JOIN convs c ON c.person = t.person
LEFT JOIN {CHANNEL_INPUT} ch ON ch.channel = coalesce(t.channel, '')
WHERE t.kind <> 2 AND CASE WHEN coalesce(c.ordinal, 0) = 0 THEN t.kind = 0
  ELSE c.c_us - t.t_us BETWEEN 0 AND $click_us END"""
