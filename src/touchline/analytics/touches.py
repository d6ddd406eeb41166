"""A person's touches and conversions, resolved exactly as the credits engine resolves them
(processing/credit_queries.py: the customer of an identifier, else of the visitor, else the
visitor), but read only for that person: rows are pre-selected by the person's visitors and
identifiers, then kept when their resolved person matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from touchline.analytics.query import bound_sql
from touchline.domain.attribution.touches import IMPRESSION, SYNTHETIC
from touchline.processing.credit_queries import LINKS, with_person
from touchline.processing.session_queries import IS_VISIT
from touchline.store.base import EventStore, Sql

# The person's own visitors and identifiers when the person is a customer; `$visitor` and
# `$identity` add those of one conversion (a person that is no customer has only those).
MINE: Final = f"""{LINKS},
mine AS (
  SELECT kind, value, visitor_key FROM identity_map
  WHERE profile_id = $profile AND customer_id = $person AND customer_id <> ''
),
my_visitors AS (
  SELECT visitor_key FROM mine WHERE kind = 'anonymous_id'
  UNION ALL SELECT CAST($visitor AS UBIGINT) AS visitor_key
),
my_identities AS (
  SELECT kind || ':' || value AS identity FROM mine WHERE kind <> 'anonymous_id'
  UNION ALL SELECT $identity AS identity
)"""

OWNED: Final = """(visitor_key <> 0 AND visitor_key IN (SELECT visitor_key FROM my_visitors)
    OR identity_kind || ':' || identity_value IN (SELECT identity FROM my_identities))"""

TOUCH_FIELDS: Final = (
    "touch_key, touch_type, ts, channel, utm_source, utm_medium, utm_campaign, utm_content,"
    " utm_term, campaign_id, ad_set_id, ad_id, click_id_type, engagement_score, landing_url,"
    " entry_path, referrer_domain, device, browser, os, country, city, conversion_id"
)

TS_COLUMN: Final = 2
INT_COLUMNS: Final = frozenset({0, 13})  # touch_key, engagement_score

PERSON_TOUCHES: Final = f"""WITH {MINE},
touch_src AS (
  SELECT session_key AS touch_key, 'session' AS touch_type, started_at AS ts, visitor_key,
    '' AS identity_kind, '' AS identity_value, channel, utm_source, utm_medium, utm_campaign,
    utm_content, utm_term, '' AS campaign_id, '' AS ad_set_id, '' AS ad_id, click_id_type,
    engagement_score, landing_url, entry_path, referrer_domain, device, browser, os, country,
    city, '' AS conversion_id
  FROM sessions
  WHERE profile_id = $profile AND {IS_VISIT} AND started_at <= $until
    AND visitor_key IN (SELECT visitor_key FROM my_visitors)
  UNION ALL
  SELECT touch_key, touch_type, ts, visitor_key, identity_kind, identity_value, channel,
    utm_source, utm_medium, utm_campaign, utm_content, utm_term, campaign_id, ad_set_id, ad_id,
    click_id_type, engagement_score, '' AS landing_url, '' AS entry_path, '' AS referrer_domain,
    '' AS device, '' AS browser, '' AS os, '' AS country, '' AS city, conversion_id
  FROM touch_rows
  WHERE profile_id = $profile AND ts <= $until AND {OWNED}
)
SELECT {TOUCH_FIELDS} FROM ({with_person("touch_src")}) AS t
WHERE person = $person
ORDER BY ts, touch_key"""


# The same for several people at once (a page of conversions): the customers' own visitors and
# identifiers, plus the visitor and identifier of each conversion in `$conversions`.
THEIRS: Final = f"""{LINKS},
theirs AS (
  SELECT kind, value, visitor_key FROM identity_map
  WHERE profile_id = $profile AND list_contains($people, customer_id) AND customer_id <> ''
),
page AS (
  SELECT visitor_key, identity_kind, identity_value FROM conversions
  WHERE profile_id = $profile AND list_contains($conversions, conversion_id)
),
my_visitors AS (
  SELECT visitor_key FROM theirs WHERE kind = 'anonymous_id'
  UNION ALL SELECT visitor_key FROM page
),
my_identities AS (
  SELECT kind || ':' || value AS identity FROM theirs WHERE kind <> 'anonymous_id'
  UNION ALL SELECT identity_kind || ':' || identity_value AS identity FROM page
  WHERE identity_kind <> ''
)"""

PEOPLE_TOUCHES: Final = (
    PERSON_TOUCHES.replace(f"WITH {MINE}", f"WITH {THEIRS}")
    .replace(f"SELECT {TOUCH_FIELDS} FROM", f"SELECT {TOUCH_FIELDS}, person FROM")
    .replace("WHERE person = $person", "WHERE list_contains($people, person)")
)
assert PEOPLE_TOUCHES.count("list_contains($people, person)") == 1


@dataclass(frozen=True, slots=True)
class PersonTouch:
    """A session, synthetic or impression touch, with what the journey shows of it."""

    touch_key: int
    touch_type: str  # session, synthetic or impression
    ts: datetime
    channel: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str
    utm_term: str
    campaign_id: str  # ad ids a synthetic or impression touch carries ('' for sessions)
    ad_set_id: str
    ad_id: str
    click_id_type: str
    engagement_score: int
    landing_url: str  # session touches only; synthetic and impression touches have no visit
    path: str
    referrer_domain: str
    device: str
    browser: str
    os: str
    country: str
    city: str
    conversion_id: str  # the conversion a synthetic touch was made for

    @property
    def is_synthetic(self) -> bool:
        return self.touch_type == SYNTHETIC

    @property
    def is_impression(self) -> bool:
        return self.touch_type == IMPRESSION

    @property
    def source(self) -> str:
        """The UTM source, else the referring site."""
        return self.utm_source or self.referrer_domain


def person_params(
    profile_id: str, person: str, *, visitor: int = 0, identity: str = "", until: datetime
) -> dict[str, Any]:
    return {
        "profile": profile_id,
        "person": person,
        "visitor": visitor,
        "identity": identity,
        "until": until,
    }


def person_touches_sql(params: dict[str, Any]) -> Sql:
    return bound_sql(PERSON_TOUCHES, params)


def person_touches(store: EventStore, params: dict[str, Any]) -> list[PersonTouch]:
    """The person's touches up to `until`, oldest first (ties by touch key, as the engine)."""
    return [_touch(row) for row in store.query(person_touches_sql(params))]


def people_touches(
    store: EventStore,
    *,
    profile_id: str,
    people: Sequence[str],
    conversions: Sequence[str],
    until: datetime,
) -> dict[str, list[PersonTouch]]:
    """Each person's touches up to `until`, oldest first, in one query: `people` are persons
    as `with_person` names them, `conversions` the ids whose visitor or identifier they own
    (a person that is no customer is known only through them)."""
    params = {"profile": profile_id, "people": sorted(set(people)),
              "conversions": sorted(set(conversions)), "until": until}  # fmt: skip
    found: dict[str, list[PersonTouch]] = {person: [] for person in people}
    for row in store.query(bound_sql(PEOPLE_TOUCHES, params)):
        found[str(row[-1])].append(_touch(row[:-1]))
    return found


def _touch(row: tuple[Any, ...]) -> PersonTouch:
    # Columns come in the dataclass's field order (TOUCH_FIELDS).
    values: list[Any] = [
        value
        if index == TS_COLUMN
        else int(value or 0)
        if index in INT_COLUMNS
        else str(value or "")
        for index, value in enumerate(row)
    ]
    return PersonTouch(*values)
