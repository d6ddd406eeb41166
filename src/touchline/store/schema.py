"""Event-plane table shapes, written once and rendered for each engine.

An enriched event (what the spool holds and the loader appends) is a JSON object whose keys
are exactly `EVENT_COLUMNS`' names; `ts` and `received_at` are epoch microseconds (UTC),
`revenue` is a decimal string, hashed keys are unsigned 64-bit integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    TEXT = "text"
    TIMESTAMP = "timestamp"  # UTC, microseconds
    UINT64 = "uint64"
    INT64 = "int64"
    INT32 = "int32"
    FLOAT64 = "float64"
    MONEY = "money"  # DECIMAL(18, 4)
    BOOL = "bool"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    doc: str = ""


T = ColumnType

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("profile_id", T.TEXT, "owning profile"),
    Column("event_id", T.TEXT, "client- or provider-given id; (profile_id, event_id) is unique"),
    Column("type", T.TEXT, "page_view, track, identify, revenue, engagement, …"),
    Column("name", T.TEXT, "event name (page_view, lead_submitted, scroll_depth, …)"),
    Column("ts", T.TIMESTAMP, "when it happened"),
    Column("received_at", T.TIMESTAMP, "when the server accepted it"),
    Column("anonymous_id", T.TEXT, "the visitor id from the browser"),
    Column("session_id", T.TEXT, "the browser's session id (informational)"),
    Column("visitor_key", T.UINT64, "hash of (profile_id, anonymous_id)"),
    Column("user_id", T.TEXT, "the site's own user id, when set"),
    Column("url", T.TEXT, "full page URL"),
    Column("host", T.TEXT, "page host, lowercased"),
    Column("path", T.TEXT, "page path"),
    Column("title", T.TEXT, "page title"),
    Column("referrer", T.TEXT, "full referrer URL"),
    Column("referrer_domain", T.TEXT, "referrer host without www."),
    Column("utm_source", T.TEXT),
    Column("utm_medium", T.TEXT),
    Column("utm_campaign", T.TEXT),
    Column("utm_content", T.TEXT),
    Column("utm_term", T.TEXT),
    Column("click_id_type", T.TEXT, "fbclid, gclid, msclkid, ttclid or empty"),
    Column("click_id", T.TEXT),
    Column("channel", T.TEXT, "one of the nine channels"),
    Column("is_payment_return", T.BOOL, "arrived from a payment page; never a new touch"),
    Column("device", T.TEXT, "desktop, mobile or tablet"),
    Column("browser", T.TEXT),
    Column("os", T.TEXT),
    Column("country", T.TEXT, "ISO 3166-1 alpha-2"),
    Column("region", T.TEXT),
    Column("city", T.TEXT),
    Column("ai_agent", T.TEXT, "name of the AI agent that made the request, if any"),
    Column("engaged_ms", T.INT64, "engaged time this event reports (engagement events)"),
    Column("revenue", T.MONEY, "amount in `currency`"),
    Column("currency", T.TEXT),
    Column("payload", T.TEXT, "JSON object"),
    Column("identity", T.TEXT, "JSON object (identify events)"),
    Column("consent", T.TEXT, "JSON object"),
    Column("origin", T.TEXT, "tracker, import, webhook:<provider>, sync:<provider>"),
)

EVENT_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS)
