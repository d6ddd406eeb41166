"""The event plane's record tables: what the connectors' `record` events become (ad
entities, daily ad insights, search keywords, calendar appointments; processing/records.py
writes them, migrations 4 and 5 create them)."""

from __future__ import annotations

from touchline.store.schema import Column, ColumnType, Table

T = ColumnType

# Ad platform entities and daily insights (filled by the connectors issue; empty until then, so
# campaigns seen only in UTMs report zero spend). `level` is campaign, ad_set or ad.
AD_ENTITIES = Table(
    name="ad_entities",
    columns=(
        Column("profile_id", T.TEXT),
        Column("platform", T.TEXT, "meta or google_ads"),
        Column("level", T.TEXT, "campaign, ad_set or ad"),
        Column("entity_id", T.TEXT, "the platform's id"),
        Column("name", T.TEXT),
        Column("campaign_id", T.TEXT, "parent campaign (itself for a campaign)"),
        Column("ad_set_id", T.TEXT, "parent ad set ('' for a campaign)"),
        Column("status", T.TEXT),
        Column("details", T.TEXT, "JSON object: objective, budget, creative, …"),
        Column("version", T.INT64),
    ),
    sort_key=("profile_id", "platform", "level", "entity_id"),
    version="version",
)

AD_INSIGHTS = Table(
    name="ad_insights",
    columns=(
        Column("profile_id", T.TEXT),
        Column("platform", T.TEXT),
        Column("level", T.TEXT),
        Column("entity_id", T.TEXT),
        Column("day", T.TIMESTAMP, "the report day (account timezone) as midnight UTC"),
        Column("spend", T.MONEY, "in `currency`"),
        Column("currency", T.TEXT),
        Column("reporting_spend", T.MONEY, "in the profile's currency; NULL = unconverted"),
        Column("impressions", T.INT64),
        Column("clicks", T.INT64),
        Column("reach", T.INT64),
        Column("version", T.INT64),
    ),
    sort_key=("profile_id", "platform", "level", "entity_id", "day"),
    version="version",
)

# Added by migration 5 (connectors): the ad account and, on insights, the parents (so a level's
# rows roll up without a join) and the platform's other metrics (frequency, video, its own
# conversion counts) as a JSON object.
AD_ENTITY_CONNECTOR_COLUMNS: tuple[Column, ...] = (
    Column("account_id", T.TEXT, "the ad account (Meta act id, Google customer id)"),
)
AD_INSIGHT_CONNECTOR_COLUMNS: tuple[Column, ...] = (
    Column("campaign_id", T.TEXT, "parent campaign (itself for a campaign)"),
    Column("ad_set_id", T.TEXT, "parent ad set ('' above ad-set level)"),
    Column("account_id", T.TEXT),
    Column("metrics", T.TEXT, "JSON object: frequency, video metrics, platform conversions"),
)

# Google Search Console's daily search analytics (`search_keyword` records).
SEARCH_KEYWORDS = Table(
    name="search_keywords",
    columns=(
        Column("profile_id", T.TEXT),
        Column("site", T.TEXT, "the Search Console property"),
        Column("day", T.TIMESTAMP, "the report day as midnight UTC"),
        Column("query", T.TEXT),
        Column("page", T.TEXT),
        Column("country", T.TEXT, "ISO 3166-1 alpha-3 as GSC reports it, or ''"),
        Column("device", T.TEXT, "DESKTOP, MOBILE, TABLET or ''"),
        Column("clicks", T.INT64),
        Column("impressions", T.INT64),
        Column("position", T.FLOAT64, "average position (1 = top)"),
        Column("version", T.INT64),
    ),
    sort_key=("profile_id", "site", "day", "query", "page", "country", "device"),
    version="version",
)

# CRM calendar appointments (`calendar_event` records) for the Calendar feature.
CALENDAR_EVENTS = Table(
    name="calendar_events",
    columns=(
        Column("profile_id", T.TEXT),
        Column("provider", T.TEXT, "ghl"),
        Column("appointment_id", T.TEXT),
        Column("calendar_id", T.TEXT),
        Column("calendar_name", T.TEXT),
        Column("status", T.TEXT, "booked, confirmed, showed, noshow, cancelled, …"),
        Column("assigned_user", T.TEXT),
        Column("contact_id", T.TEXT),
        Column("title", T.TEXT),
        Column("start_at", T.TIMESTAMP),
        Column("end_at", T.TIMESTAMP),
        Column("version", T.INT64),
    ),
    sort_key=("profile_id", "provider", "appointment_id"),
    version="version",
)

# What the records step writes to the ad tables: migration 4's columns, then migration 5's.
STORED_AD_ENTITY_COLUMNS: tuple[Column, ...] = (*AD_ENTITIES.columns, *AD_ENTITY_CONNECTOR_COLUMNS)
STORED_AD_INSIGHT_COLUMNS: tuple[Column, ...] = (
    *AD_INSIGHTS.columns,
    *AD_INSIGHT_CONNECTOR_COLUMNS,
)
