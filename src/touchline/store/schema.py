"""Event-plane table shapes, written once and rendered for each engine.

An enriched event (what the spool holds and the loader appends) is a JSON object whose keys
are exactly `EVENT_COLUMNS`' names; `ts` and `received_at` are epoch microseconds (UTC),
`revenue` is a decimal string, hashed keys are unsigned 64-bit integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa


class ColumnType(StrEnum):
    TEXT = "text"
    TIMESTAMP = "timestamp"  # UTC, microseconds
    UINT64 = "uint64"
    INT64 = "int64"
    INT32 = "int32"
    FLOAT64 = "float64"
    MONEY = "money"  # DECIMAL(18, 4)
    BOOL = "bool"
    UUID = "uuid"  # 16 bytes; physical columns only (see EVENT_ROWS)


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


# --- Physical tables: what migrations create on each engine ---------------------


@dataclass(frozen=True, slots=True)
class Table:
    """An append-only event-plane table.

    `sort_key` holds DuckDB-dialect expressions: ClickHouse's ORDER BY (and with `replacing`,
    its ReplacingMergeTree dedup key); plain column names in it are NOT NULL on both engines.
    `version` names the column whose highest value wins (ReplacingMergeTree's version).
    """

    name: str
    columns: tuple[Column, ...]
    sort_key: tuple[str, ...]
    version: str | None = None
    replacing: bool = True
    partition_month_of: str | None = None  # a TIMESTAMP column: ClickHouse monthly partitions

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> frozenset[str]:
        """Columns that may never be NULL: the plain-column parts of the key, and the version."""
        names = set(self.sort_key) | ({self.version} if self.version else set())
        return frozenset(n for n in self.column_names if n in names)


@dataclass(frozen=True, slots=True)
class View:
    """A logical table readers query by `name`, stored in the physical `table`.

    `select` maps physical → logical columns; `insert` maps appended logical rows → the
    physical columns, in `table`'s column order. Both are DuckDB-dialect select lists.
    """

    name: str
    table: Table
    columns: tuple[Column, ...]
    select: str
    insert: str


def _event_row_columns() -> tuple[Column, ...]:
    # event_id is split so UUIDs (what trackers send) take 16 bytes instead of a 36-byte string.
    out: list[Column] = []
    for column in EVENT_COLUMNS:
        if column.name == "event_id":
            out.append(Column("event_uuid", T.UUID, "event_id when it is a lowercase UUID"))
            out.append(Column("event_key", T.TEXT, "event_id when it is not; else ''"))
        else:
            out.append(column)
    return tuple(out)


NIL_UUID = "00000000-0000-0000-0000-000000000000"
UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

EVENT_ROWS = Table(
    name="event_rows",
    columns=_event_row_columns(),
    sort_key=(
        "profile_id",
        "date_trunc('day', ts)",
        "visitor_key",
        "ts",
        "event_uuid",
        "event_key",
    ),
    partition_month_of="ts",
)

_IS_UUID = f"regexp_full_match(event_id, '{UUID_PATTERN}')"
EVENTS = View(
    name="events",
    table=EVENT_ROWS,
    columns=EVENT_COLUMNS,
    select=", ".join(
        "CASE WHEN event_key = '' THEN CAST(event_uuid AS VARCHAR) ELSE event_key END AS event_id"
        if name == "event_id"
        else name
        for name in EVENT_COLUMN_NAMES
    ),
    insert=", ".join(
        {
            "event_uuid": f"CASE WHEN {_IS_UUID} THEN CAST(event_id AS UUID)"
            f" ELSE CAST('{NIL_UUID}' AS UUID) END AS event_uuid",
            "event_key": f"CASE WHEN {_IS_UUID} THEN '' ELSE event_id END AS event_key",
        }.get(name, name)
        for name in EVENT_ROWS.column_names
    ),
)

# Logical tables stored through a View; `EventStore.append(name, rows)` goes through `insert`.
VIEWS: dict[str, View] = {EVENTS.name: EVENTS}

# The loader's progress: the byte offset up to which each spool segment is in `events`.
SPOOL_CHECKPOINTS = Table(
    name="spool_checkpoints",
    columns=(
        Column("segment", T.TEXT, "segment file name without its suffix"),
        Column("end_offset", T.INT64, "bytes of the segment loaded (whole frames)"),
        Column("loaded_at", T.TIMESTAMP),
    ),
    sort_key=("segment",),
    version="end_offset",
)

EVENT_MIGRATIONS = Table(
    name="event_migrations",
    columns=(
        Column("number", T.INT32),
        Column("name", T.TEXT),
        Column("applied_at", T.TIMESTAMP),
    ),
    sort_key=("number",),
)


ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    T.TEXT: pa.string(),
    T.TIMESTAMP: pa.timestamp("us", tz="UTC"),
    T.UINT64: pa.uint64(),
    T.INT64: pa.int64(),
    T.INT32: pa.int32(),
    T.FLOAT64: pa.float64(),
    T.MONEY: pa.decimal128(18, 4),
    T.BOOL: pa.bool_(),
    T.UUID: pa.string(),
}


def arrow_schema(columns: tuple[Column, ...]) -> pa.Schema:
    """The Arrow shape of rows with these columns (what `EventStore.append` takes)."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in columns])


EVENT_SCHEMA: pa.Schema = arrow_schema(EVENT_COLUMNS)

# Server-side sessions (processing/sessions.py): a recompute writes rows with a higher `version`
# and then deletes the rows they supersede, so at rest each session has one row.
SESSION_COLUMNS: tuple[Column, ...] = (
    Column("profile_id", T.TEXT, "owning profile"),
    Column("session_key", T.UINT64, "domain.sessions.session_key(visitor_key, started_at)"),
    Column("visitor_key", T.UINT64, "hash of (profile_id, anonymous_id)"),
    Column("started_at", T.TIMESTAMP, "first event"),
    Column("ended_at", T.TIMESTAMP, "last event"),
    Column("events", T.INT32, "first-party events in the session"),
    Column("pageviews", T.INT32),
    Column("interactions", T.INT32, "events other than page views and engagement"),
    Column("bounced", T.BOOL, "at most one page view and no interaction"),
    Column("engaged_ms", T.INT64, "reported engaged time, capped by the duration"),
    Column("entry_path", T.TEXT),
    Column("exit_path", T.TEXT),
    Column("landing_url", T.TEXT),
    Column("host", T.TEXT),
    Column("channel", T.TEXT),
    Column("utm_source", T.TEXT),
    Column("utm_medium", T.TEXT),
    Column("utm_campaign", T.TEXT),
    Column("utm_content", T.TEXT),
    Column("utm_term", T.TEXT),
    Column("click_id_type", T.TEXT),
    Column("click_id", T.TEXT),
    Column("referrer_domain", T.TEXT),
    Column("device", T.TEXT),
    Column("browser", T.TEXT),
    Column("os", T.TEXT),
    Column("country", T.TEXT),
    Column("region", T.TEXT),
    Column("city", T.TEXT),
    Column("version", T.INT64, "when the session was last recomputed (epoch µs, increasing)"),
)

SESSION_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in SESSION_COLUMNS)

# Scratch rows of one incremental sessions update: the visitors whose sessions are recomputed,
# from `from_ts` on (processing/sessions.py empties it after each update).
SESSION_SCOPE_COLUMNS: tuple[Column, ...] = (
    Column("profile_id", T.TEXT),
    Column("visitor_key", T.UINT64),
    Column("first_ts", T.TIMESTAMP, "earliest new event of the visitor"),
    Column("from_ts", T.TIMESTAMP, "start of the session open before first_ts"),
)

SESSIONS = Table(
    name="sessions",
    columns=SESSION_COLUMNS,
    sort_key=("profile_id", "started_at", "visitor_key", "session_key"),
    version="version",
    partition_month_of="started_at",
)

SESSION_SCOPE = Table(
    name="session_scope",
    columns=SESSION_SCOPE_COLUMNS,
    sort_key=("profile_id", "visitor_key"),
    replacing=False,
)
