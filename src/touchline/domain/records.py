"""Records: what connectors bring that is not an event a person did — ad entities, daily ad
insights, search keywords, calendar events. They travel the ingest path as events of type
`record` (so they are durable and replayable like everything else) and a processing step
materializes each kind into its own table."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

RECORD_TYPE: Final = "record"


class RecordKind(StrEnum):
    """The event `name` of a record; `FIELDS[kind]` lists its payload fields."""

    AD_ENTITY = "ad_entity"
    AD_INSIGHT = "ad_insight"
    SEARCH_KEYWORD = "search_keyword"
    CALENDAR_EVENT = "calendar_event"


class AdPlatform(StrEnum):
    META = "meta"
    GOOGLE_ADS = "google_ads"


class AdLevel(StrEnum):
    CAMPAIGN = "campaign"
    AD_SET = "ad_set"  # Google's ad group
    AD = "ad"


# Payload fields per kind; `details`/`metrics` are JSON objects, amounts decimal strings,
# days `YYYY-MM-DD` (the account's or site's own reporting day), times ISO 8601.
FIELDS: Final[dict[RecordKind, tuple[str, ...]]] = {
    RecordKind.AD_ENTITY: (
        "platform", "level", "entity_id", "name", "campaign_id", "ad_set_id", "status",
        "account_id", "details",
    ),
    RecordKind.AD_INSIGHT: (
        "platform", "level", "entity_id", "campaign_id", "ad_set_id", "account_id", "day",
        "spend", "currency", "impressions", "clicks", "reach", "metrics",
    ),
    RecordKind.SEARCH_KEYWORD: (
        "site", "day", "query", "page", "country", "device", "clicks", "impressions",
        "position",
    ),
    RecordKind.CALENDAR_EVENT: (
        "provider", "appointment_id", "calendar_id", "calendar_name", "status",
        "assigned_user", "contact_id", "title", "start_at", "end_at",
    ),
}  # fmt: skip

# The payload fields that identify one record: a newer record with the same key replaces it.
KEYS: Final[dict[RecordKind, tuple[str, ...]]] = {
    RecordKind.AD_ENTITY: ("platform", "level", "entity_id"),
    RecordKind.AD_INSIGHT: ("platform", "level", "entity_id", "day"),
    RecordKind.SEARCH_KEYWORD: ("site", "day", "query", "page", "country", "device"),
    RecordKind.CALENDAR_EVENT: ("provider", "appointment_id"),
}
