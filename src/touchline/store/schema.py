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
        """Columns that may never be NULL: plain-column parts of the key, version, partition."""
        names = set(self.sort_key) | ({self.version} if self.version else set())
        if self.partition_month_of:
            names.add(self.partition_month_of)
        return frozenset(n for n in self.column_names if n in names)

    def column(self, name: str) -> Column:
        [found] = [c for c in self.columns if c.name == name]
        return found


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


# --- Attribution (issue 3): identity mirror, conversions, touches, credits, ad entities -------
# Every table below is versioned the same way as `sessions`: a change appends rows with a higher
# `version`, then deletes the rows they supersede, so at rest each key has one row.

# The control plane's identity graph, mirrored so journeys are plain joins: one row per
# identifier; `customer_id` is '' once the identifier no longer belongs to anyone.
IDENTITY_MAP = Table(
    name="identity_map",
    columns=(
        Column("profile_id", T.TEXT, "owning profile"),
        Column("kind", T.TEXT, "domain.identity.IdentifierKind value"),
        Column("value", T.TEXT, "the normalized identifier"),
        Column("visitor_key", T.UINT64, "hash of (profile_id, value) for anonymous_id; else 0"),
        Column("customer_id", T.TEXT, "customer profile id in the control plane, or ''"),
        Column("version", T.INT64, "epoch µs of the change, increasing"),
    ),
    sort_key=("profile_id", "kind", "value"),
    version="version",
)

# Outcome events matched by a goal. `conversion_id` is the source event's event_id.
CONVERSIONS = Table(
    name="conversions",
    columns=(
        Column("profile_id", T.TEXT, "owning profile"),
        Column("conversion_id", T.TEXT, "the source event's event_id"),
        Column("goal_key", T.TEXT, "payment_received, lead_created, … or a custom goal's key"),
        Column("event_name", T.TEXT, "the source event's name"),
        Column("revenue_type", T.TEXT, "cash, pipeline or gross"),
        Column("attribution_eligible", T.BOOL, "the goal takes part in attribution"),
        Column("ts", T.TIMESTAMP, "when the conversion happened"),
        Column("visitor_key", T.UINT64, "the browser visitor of the event, or 0"),
        Column("identity_kind", T.TEXT, "strongest identifier of the person (IdentifierKind)"),
        Column("identity_value", T.TEXT, "its normalized value"),
        Column("value", T.MONEY, "amount in `currency`; negative for refunds and chargebacks"),
        Column("currency", T.TEXT, "ISO 4217 code of `value` ('' when no value)"),
        Column("reporting_value", T.MONEY, "value in the profile's currency; NULL = unconverted"),
        Column("reporting_currency", T.TEXT, "the profile's reporting currency"),
        Column("fx_rate", T.FLOAT64, "reporting units per unit of `currency` on the day"),
        Column("fx_status", T.TEXT, "none, same, converted or unconverted"),
        Column("provider_ref", T.TEXT, "provider payment/order id used for dedupe, or ''"),
        Column("refund_of", T.TEXT, "conversion_id of the payment a refund reduces, or ''"),
        Column("utm_source", T.TEXT, "campaign data the conversion itself carries"),
        Column("utm_medium", T.TEXT),
        Column("utm_campaign", T.TEXT),
        Column("utm_content", T.TEXT),
        Column("utm_term", T.TEXT),
        Column("campaign_id", T.TEXT, "ad platform ids the conversion carries (GHL attribution)"),
        Column("ad_set_id", T.TEXT),
        Column("ad_id", T.TEXT),
        Column("click_id_type", T.TEXT),
        Column("click_id", T.TEXT),
        Column("origin", T.TEXT, "the source event's origin"),
        Column("version", T.INT64),
        # Event migration 7 (decision 0762); the store sets it on every append (store/keys.py).
        Column("conversion_key", T.INT64, "conversion_key(profile_id, conversion_id)"),
        # Event migration 9 (decision 0714): Shopify's pixel may know only the checkout.
        Column(
            "checkout_ref",
            T.TEXT,
            "the checkout an order came from (Shopify's checkout"
            " token): a second dedupe key, or ''",
        ),
    ),
    sort_key=("profile_id", "conversion_id"),
    version="version",
    partition_month_of="ts",
)

# Touches that are not sessions: synthetic (from a conversion's campaign data) and impression
# touches. Session touches are read from `sessions` (processing/touch_queries.py unions both).
TOUCH_ROWS = Table(
    name="touch_rows",
    columns=(
        Column("profile_id", T.TEXT, "owning profile"),
        Column("touch_key", T.UINT64, "stable hash; a synthetic touch's comes from its conversion"),
        Column("touch_type", T.TEXT, "synthetic or impression (sessions are type session)"),
        Column("ts", T.TIMESTAMP, "when the touch happened"),
        Column("visitor_key", T.UINT64, "the visitor (impressions); 0 for synthetic touches"),
        Column("identity_kind", T.TEXT, "the person, for synthetic touches"),
        Column("identity_value", T.TEXT),
        Column("channel", T.TEXT),
        Column("utm_source", T.TEXT),
        Column("utm_medium", T.TEXT),
        Column("utm_campaign", T.TEXT),
        Column("utm_content", T.TEXT),
        Column("utm_term", T.TEXT),
        Column("campaign_id", T.TEXT),
        Column("ad_set_id", T.TEXT),
        Column("ad_id", T.TEXT),
        Column("click_id_type", T.TEXT),
        Column("click_id", T.TEXT),
        Column("engagement_score", T.INT32, "0-100; the documented floor for synthetic touches"),
        Column("conversion_id", T.TEXT, "the conversion a synthetic touch was made for"),
        Column("version", T.INT64),
    ),
    sort_key=("profile_id", "touch_key"),
    version="version",
    partition_month_of="ts",
)

# One row per (conversion, eligible touch) with every model's credit (each column sums to 1
# over a conversion's rows, or is 0 on rows outside that model's window). Unattributed
# conversions have no rows. Since migration 6 the engine writes narrow `credit_rows` and
# `credits` is a view that reads the touch's and conversion's dimensions by key (decision 0761).
CREDIT_MODELS: tuple[str, ...] = (
    "last_touch",
    "first_touch",
    "split_50_50",
    "linear",
    "position_based",
    "time_decay",
    "last_non_direct",
    "custom_weighted",
    "engagement_weighted",
    "markov",
    "shapley",
)

CREDITS = Table(
    name="credits",
    columns=(
        Column("profile_id", T.TEXT, "owning profile"),
        Column("conversion_id", T.TEXT),
        Column("touch_key", T.UINT64, "session_key for sessions; touch_rows.touch_key otherwise"),
        Column("touch_type", T.TEXT, "session, synthetic or impression"),
        Column("touch_ts", T.TIMESTAMP),
        Column("conversion_ts", T.TIMESTAMP),
        Column("position", T.INT32, "1-based order of the touch in the conversion's path"),
        Column("goal_key", T.TEXT),
        Column("revenue_type", T.TEXT),
        Column("reporting_value", T.MONEY, "the conversion's value in the reporting currency"),
        Column("channel", T.TEXT),
        Column("utm_source", T.TEXT),
        Column("utm_medium", T.TEXT),
        Column("utm_campaign", T.TEXT),
        Column("utm_content", T.TEXT),
        Column("utm_term", T.TEXT),
        Column("campaign_id", T.TEXT, "touch's ad ids (synthetic/impression touches carry them)"),
        Column("ad_set_id", T.TEXT),
        Column("ad_id", T.TEXT),
        *(Column(model, T.FLOAT64, f"credit under {model}") for model in CREDIT_MODELS),
        Column("version", T.INT64),
    ),
    sort_key=("profile_id", "conversion_id", "touch_key"),
    version="version",
    partition_month_of="conversion_ts",
)
"""The wide table migration 4 created; since migration 6, the columns of the `credits` view."""

CREDIT_ROWS_6 = Table(
    name="credit_rows",
    columns=(
        Column("profile_id", T.TEXT, "owning profile"),
        Column("conversion_id", T.TEXT),
        Column("touch_key", T.UINT64, "session_key for sessions; touch_rows.touch_key otherwise"),
        Column("position", T.INT32, "1-based order of the touch in the conversion's path"),
        *(Column(model, T.FLOAT64, f"credit under {model}") for model in CREDIT_MODELS),
        Column("version", T.INT64),
    ),
    sort_key=("profile_id", "conversion_id", "touch_key"),
    version="version",
)
"""`credit_rows` as migration 6 created it (keyed by the `conversion_id` string)."""

CREDIT_ROWS = Table(
    name="credit_rows",
    columns=(
        Column("profile_id", T.TEXT, "owning profile"),
        Column("conversion_key", T.INT64, "the conversion's `conversion_key`"),
        Column("touch_key", T.UINT64, "session_key for sessions; touch_rows.touch_key otherwise"),
        Column("position", T.INT32, "1-based order of the touch in the conversion's path"),
        *(Column(model, T.FLOAT64, f"credit under {model}") for model in CREDIT_MODELS),
        Column("version", T.INT64),
    ),
    sort_key=("profile_id", "conversion_key", "touch_key"),
    version="version",
)
"""What only the engine knows of a credit: integer keys, position and the eleven shares
(since migration 7; decision 0762)."""

_TOUCH_DIMS = (
    "channel, utm_source, utm_medium, utm_campaign, utm_content, utm_term, "
    "campaign_id, ad_set_id, ad_id"
)


def _credits_view(conversion_join: str) -> str:
    return f"""CREATE OR REPLACE VIEW credits AS
SELECT r.profile_id AS profile_id, c.conversion_id AS conversion_id,
  r.touch_key AS touch_key, d.touch_type AS touch_type, d.touch_ts AS touch_ts,
  c.ts AS conversion_ts, r.position AS position, c.goal_key AS goal_key,
  c.revenue_type AS revenue_type, c.reporting_value AS reporting_value,
  {", ".join(f"d.{name} AS {name}" for name in _TOUCH_DIMS.split(", "))},
  {", ".join(f"r.{model} AS {model}" for model in CREDIT_MODELS)}, r.version AS version
FROM credit_rows r
JOIN conversions c ON c.profile_id = r.profile_id AND {conversion_join}
JOIN (
  SELECT profile_id, session_key AS touch_key, 'session' AS touch_type, started_at AS touch_ts,
    channel, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
    '' AS campaign_id, '' AS ad_set_id, '' AS ad_id
  FROM sessions
  UNION ALL
  SELECT profile_id, touch_key, touch_type, ts AS touch_ts, {_TOUCH_DIMS} FROM touch_rows
) d ON d.profile_id = r.profile_id AND d.touch_key = r.touch_key"""


CREDITS_VIEW_6 = _credits_view("c.conversion_id = r.conversion_id")
"""The `credits` view of migration 6 (joined on the `conversion_id` string)."""
CREDITS_VIEW = _credits_view("c.conversion_key = r.conversion_key")
"""The logical `credits` (CREDITS' columns): each narrow row with its touch's dimensions (from
`sessions` or `touch_rows`) and its conversion's (id, goal, revenue type, value, time), joined
on the integer keys."""

# Data-driven models are fitted per profile and window: one weight per channel.
CHANNEL_WEIGHTS = Table(
    name="channel_weights",
    columns=(
        Column("profile_id", T.TEXT),
        Column("model", T.TEXT, "markov or shapley"),
        Column("channel", T.TEXT),
        Column("weight", T.FLOAT64, "the channel's share of conversions (sums to 1)"),
        Column("removal_effect", T.FLOAT64, "markov: the removal effect before normalizing"),
        Column("paths", T.INT64, "converting paths the fit used"),
        Column("version", T.INT64),
    ),
    sort_key=("profile_id", "model", "channel"),
    version="version",
)

# How far each derivation has read the versions of the tables it depends on (credits' dirty
# tracking: anything with a higher version is new since the last update).
WATERMARKS = Table(
    name="watermarks",
    columns=(
        Column("consumer", T.TEXT, "e.g. credits"),
        Column("source", T.TEXT, "the table read, e.g. sessions"),
        Column("version", T.INT64, "highest version consumed"),
    ),
    sort_key=("consumer", "source"),
    version="version",
)

# Added to `sessions` by migration 4: the engagement signals behind the engagement-weighted
# model (domain/engagement.py defines the score).
SESSION_ENGAGEMENT_COLUMNS: tuple[Column, ...] = (
    Column("max_scroll_percent", T.INT32, "deepest scroll reported in the session (0-100)"),
    Column("video_events", T.INT32, "video_progress events"),
    Column("error_events", T.INT32, "js_error events"),
    Column("engagement_score", T.INT32, "engagement_quality_score 0-100"),
)

# Added to `sessions` by migration 8: when the visitor's neighbouring sessions started, so a
# report counts a visitor whose only session in the period this is without hashing it
# (analytics/visits.py). NULL (rows written before) reads as "unknown".
SESSION_ADJACENCY_COLUMNS: tuple[Column, ...] = (
    Column("previous_start_us", T.INT64, "epoch µs start of the visitor's previous session or 0"),
    Column("next_start_us", T.INT64, "epoch µs start of the visitor's next session or 0"),
)
# Added to `session_scope` by migration 8: the start of the session before `from_ts`, the
# previous session of the first one an update rewrites.
SESSION_SCOPE_BEFORE = Column("before_us", T.INT64, "epoch µs start of the session before from_ts")

# What a sessions update writes: the sessions columns, the engagement and adjacency columns.
STORED_SESSION_COLUMNS: tuple[Column, ...] = (
    *SESSION_COLUMNS,
    *SESSION_ENGAGEMENT_COLUMNS,
    *SESSION_ADJACENCY_COLUMNS,
)
STORED_SESSION_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in STORED_SESSION_COLUMNS)

# The pages each visit viewed (migration 8), written with its session by every sessions update:
# page reports and `page` filters read these instead of joining events to sessions by time.
# A visit's own counts ride along so a page breakdown without filters reads this table alone.
SESSION_PAGES = Table(
    name="session_pages",
    columns=(
        Column("profile_id", T.TEXT),
        Column("session_key", T.UINT64),
        Column("visitor_key", T.UINT64),
        Column("started_at", T.TIMESTAMP, "the session's start"),
        Column("path", T.TEXT, "a page path the visit viewed"),
        Column("views", T.INT32, "page views of the path in the visit"),
        Column("bounced", T.BOOL, "the session's"),
        Column("engaged_ms", T.INT64, "the session's"),
        *SESSION_ADJACENCY_COLUMNS,
        Column("version", T.INT64, "the session row's version"),
    ),
    sort_key=("profile_id", "started_at", "visitor_key", "session_key", "path"),
    version="version",
    partition_month_of="started_at",
)
