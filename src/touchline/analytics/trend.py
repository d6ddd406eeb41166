"""Campaign trend: daily spend, impressions and clicks of up to ten ad entities named by their
internal ids (domain/ad_entities); an id of another profile, of another level or of a campaign
with no spend finds no rows (docs/decisions/0961)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from typing import Final

from touchline.analytics.attribution import Level, money, parse_level
from touchline.analytics.query import Period
from touchline.analytics.spend import insight_bounds
from touchline.domain.ad_entities import internal_id
from touchline.errors import InvalidParameter
from touchline.store.base import EventStore, Sql

MAX_ENTITIES: Final = 10
ENTITY_LEVELS: Final = (Level.CAMPAIGN, Level.AD_SET, Level.AD)


@dataclass(frozen=True, slots=True)
class TrendDay:
    entity_id: str  # the internal id asked for
    day: date  # the platform's report day
    spend: Decimal  # reporting currency
    impressions: int
    clicks: int


def parse_entity_level(value: str | None) -> Level:
    """`campaign` (default), `ad_set` or `ad`; anything else is `invalid_parameter`."""
    level = parse_level(value)
    if level not in ENTITY_LEVELS:
        known = ", ".join(level.value for level in ENTITY_LEVELS)
        raise InvalidParameter(f"level must be one of {known}; got {value!r}", parameter="level")
    return level


def parse_entity_ids(value: str | None) -> tuple[str, ...]:
    """A comma-separated list of 1 to 10 ids (blanks and repeats dropped, order kept)."""
    ids = tuple(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))
    if not ids:
        raise InvalidParameter("entity_ids is required", parameter="entity_ids")
    if len(ids) > MAX_ENTITIES:
        raise InvalidParameter(
            f"entity_ids takes at most {MAX_ENTITIES} ids, got {len(ids)}", parameter="entity_ids"
        )
    return ids


def keys_sql(profile_id: str, period: Period, level: Level) -> Sql:
    return Sql(
        "SELECT DISTINCT entity_id FROM ad_insights"
        " WHERE profile_id = $profile AND level = $level AND day >= $day_start AND day < $day_end",
        {"profile": profile_id, "level": level.value, **insight_bounds(period)},
    )


def trend_sql(profile_id: str, period: Period, level: Level, keys: list[str]) -> Sql:
    """Per entity and report day; the same key on two platforms is one row, as in
    `campaigns.attribution_by`."""
    return Sql(
        """SELECT entity_id, day, sum(reporting_spend), sum(impressions), sum(clicks)
FROM ad_insights
WHERE profile_id = $profile AND level = $level AND day >= $day_start AND day < $day_end
  AND list_contains($keys, entity_id)
GROUP BY entity_id, day""",
        {"profile": profile_id, "level": level.value, "keys": keys, **insight_bounds(period)},
    )


def entity_trend(
    store: EventStore, *, profile_id: str, period: Period, level: Level, entity_ids: tuple[str, ...]
) -> list[TrendDay]:
    """Days with insight rows only, ordered as `entity_ids`, then by day."""
    order = {entity_id: index for index, entity_id in enumerate(entity_ids)}
    wanted: dict[str, str] = {}  # platform key → internal id
    for (key,) in store.query(keys_sql(profile_id, period, level)):
        found = internal_id(profile_id=profile_id, level=level.value, key=str(key))
        if found in order:
            wanted[str(key)] = found
    if not wanted:
        return []
    rows = [
        TrendDay(wanted[str(key)], day.astimezone(UTC).date(), money(spend),
                 int(impressions or 0), int(clicks or 0))
        for key, day, spend, impressions, clicks in store.query(
            trend_sql(profile_id, period, level, sorted(wanted))
        )
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (order[r.entity_id], r.day))
