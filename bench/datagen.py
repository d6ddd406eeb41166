"""Synthetic enriched events for benchmarks: vectorized (numpy + Arrow), realistic, cached.

Visitors return across days, sessions have 1-8 events, several profiles and a believable
channel mix. `generate(spec)` yields one Arrow table per day (in time order, EVENT_COLUMNS);
`build_store(spec)` loads them and the sessions into a DuckDB file under bench/.data/.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from touchline.domain.visitors import visitor_key
from touchline.store.schema import EVENT_SCHEMA

DATA_DIR: Final = Path(__file__).parent / ".data"
FORMAT_VERSION: Final = 3  # bump when the generated data changes shape
SESSIONS_PER_VISITOR_DAY: Final = 1.15
RETURNING_SHARE: Final = 0.3
EVENTS_PER_SESSION: Final = np.array([0.30, 0.20, 0.15, 0.12, 0.09, 0.07, 0.04, 0.03])
MEAN_EVENTS_PER_SESSION: Final = float(np.dot(np.arange(1, 9), EVENTS_PER_SESSION))

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Spec:
    """How much data: `events` in total over profiles with these daily visitor counts."""

    events: int
    daily_visitors: tuple[int, ...] = (30_000, 12_000, 6_000, 2_000)
    start: date = date(2025, 1, 1)
    seed: int = 7

    @property
    def profile_ids(self) -> list[str]:
        return [f"prof_bench_{index:02d}" for index in range(len(self.daily_visitors))]

    @property
    def events_per_day(self) -> float:
        visits = sum(self.daily_visitors) * SESSIONS_PER_VISITOR_DAY
        return visits * MEAN_EVENTS_PER_SESSION

    @property
    def days(self) -> int:
        return max(1, int(np.ceil(self.events / self.events_per_day)))

    @property
    def end(self) -> date:
        """The last generated day."""
        return self.start + timedelta(days=self.days - 1)


# -- what traffic is made of -------------------------------------------------------------------

# channel, utm_source, utm_medium, utm_campaign, referrer_domain, click_id_type, share
CHANNELS: Final = (
    ("Direct", "", "", "", "", "", 0.24),
    ("Organic Search", "", "", "", "google.com", "", 0.20),
    ("Organic Search", "", "", "", "bing.com", "", 0.03),
    ("Paid Social", "facebook", "paid", "spring_promo", "facebook.com", "fbclid", 0.09),
    ("Paid Social", "instagram", "paid", "retargeting", "instagram.com", "fbclid", 0.05),
    ("Paid Search", "google", "cpc", "brand", "google.com", "gclid", 0.08),
    ("Paid Search", "google", "cpc", "implants_search", "google.com", "gclid", 0.04),
    ("Organic Social", "", "", "", "facebook.com", "", 0.05),
    ("Organic Social", "", "", "", "t.co", "", 0.02),
    ("Email", "newsletter", "email", "monthly", "", "", 0.05),
    ("Referral", "", "", "", "blog.partner.example", "", 0.06),
    ("Referral", "", "", "", "news.example", "", 0.03),
    ("Display", "gdn", "display", "awareness", "", "", 0.03),
    ("Affiliate", "partner", "affiliate", "coupon", "", "", 0.03),
)
PATHS: Final = (
    "/",
    "/pricing",
    "/services",
    "/services/implants",
    "/services/whitening",
    "/book",
    "/contact",
    "/about",
    "/doctors",
    *(f"/blog/post-{n}" for n in range(1, 121)),
)
# device, browser, os, share
CLIENTS: Final = (
    ("desktop", "Chrome", "Windows", 0.25),
    ("desktop", "Chrome", "Mac OS X", 0.08),
    ("desktop", "Safari", "Mac OS X", 0.07),
    ("desktop", "Edge", "Windows", 0.05),
    ("desktop", "Firefox", "Windows", 0.03),
    ("mobile", "Mobile Safari", "iOS", 0.22),
    ("mobile", "Chrome Mobile", "Android", 0.23),
    ("mobile", "Samsung Internet", "Android", 0.03),
    ("tablet", "Mobile Safari", "iOS", 0.04),
)
# country, region, city, share
PLACES: Final = (
    ("US", "California", "Los Angeles", 0.14),
    ("US", "Texas", "Houston", 0.10),
    ("US", "New York", "New York", 0.08),
    ("MX", "Mexico City", "Mexico City", 0.16),
    ("MX", "Jalisco", "Guadalajara", 0.07),
    ("CO", "Bogota D.C.", "Bogota", 0.08),
    ("AR", "Buenos Aires F.D.", "Buenos Aires", 0.07),
    ("ES", "Madrid", "Madrid", 0.08),
    ("BR", "Sao Paulo", "Sao Paulo", 0.07),
    ("CL", "Santiago Metropolitan", "Santiago", 0.05),
    ("GB", "England", "London", 0.05),
    ("CA", "Ontario", "Toronto", 0.05),
)
# type, name, share (of events after a session's first page view)
FOLLOW_UPS: Final = (
    ("page_view", "page_view", 0.55),
    ("engagement", "heartbeat", 0.18),
    ("engagement", "scroll_depth", 0.10),
    ("track", "cta_click", 0.08),
    ("track", "lead_submitted", 0.04),
    ("identify", "identify", 0.03),
    ("revenue", "purchase", 0.02),
)
REVENUE: Final = 6  # FOLLOW_UPS index of "purchase"
WEBHOOK_SHARE: Final = 0.5  # of purchases, reported by a payment webhook (never sessions)


def _shares(table: tuple[tuple[Any, ...], ...]) -> npt.NDArray[np.float64]:
    weights = np.array([row[-1] for row in table], dtype=np.float64)
    shares: npt.NDArray[np.float64] = weights / weights.sum()
    return shares


def _column(table: tuple[tuple[Any, ...], ...], index: int) -> pa.Array:
    return pa.array([row[index] for row in table], type=pa.string())


def _pick(values: pa.Array, indices: Ints) -> pa.Array:
    return pc.take(values, pa.array(indices))


def _repeat(value: str, count: int) -> pa.Array:
    return _pick(pa.array([value]), np.zeros(count, dtype=np.int64))


_HEX: Final = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def random_ids(rng: np.random.Generator, count: int) -> pa.StringArray:
    """`count` random UUID4 strings, built without a Python loop."""
    raw = rng.integers(0, 256, size=(count, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.stack([_HEX[raw >> 4], _HEX[raw & 0x0F]], axis=2).reshape(count, 32)
    text = np.full((count, 36), ord("-"), dtype=np.uint8)
    for start, stop, offset in ((0, 8, 0), (8, 12, 1), (12, 16, 2), (16, 20, 3), (20, 32, 4)):
        text[:, start + offset : stop + offset] = digits[:, start:stop]
    offsets = np.arange(0, 36 * (count + 1), 36, dtype=np.int32)
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(text))


# -- visitors --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Visitors:
    """A profile's visitors so far; returning sessions pick among them."""

    profile_id: str
    anonymous_ids: list[pa.StringArray] = field(default_factory=list)
    keys: list[npt.NDArray[np.uint64]] = field(default_factory=list)
    clients: list[Ints] = field(default_factory=list)
    places: list[Ints] = field(default_factory=list)
    count: int = 0

    def add(self, rng: np.random.Generator, count: int) -> None:
        ids = random_ids(rng, count)
        keys = [visitor_key(self.profile_id, anonymous) for anonymous in ids.to_pylist()]
        self.anonymous_ids.append(ids)
        self.keys.append(np.array(keys, dtype=np.uint64))
        self.clients.append(rng.choice(len(CLIENTS), size=count, p=_shares(CLIENTS)))
        self.places.append(rng.choice(len(PLACES), size=count, p=_shares(PLACES)))
        self.count += count

    def compact(self) -> None:
        if len(self.keys) > 1:
            self.anonymous_ids = [pa.concat_arrays(self.anonymous_ids)]
            self.keys = [np.concatenate(self.keys)]
            self.clients = [np.concatenate(self.clients)]
            self.places = [np.concatenate(self.places)]


def _visitor_of_sessions(rng: np.random.Generator, visitors: _Visitors, sessions: int) -> Ints:
    returning = rng.random(sessions) < (RETURNING_SHARE if visitors.count else 0.0)
    fresh = int((~returning).sum())
    first_new = visitors.count
    visitors.add(rng, fresh)
    visitors.compact()
    chosen = np.empty(sessions, dtype=np.int64)
    chosen[~returning] = np.arange(first_new, first_new + fresh)
    chosen[returning] = rng.integers(0, max(first_new, 1), size=int(returning.sum()))
    return chosen


# -- one day of one profile ---------------------------------------------------------------------


def _day_of_profile(
    rng: np.random.Generator, visitors: _Visitors, day: date, daily_visitors: int
) -> pa.Table:
    sessions = int(daily_visitors * SESSIONS_PER_VISITOR_DAY)
    who = _visitor_of_sessions(rng, visitors, sessions)
    lengths = rng.choice(np.arange(1, 9), size=sessions, p=EVENTS_PER_SESSION)
    day_start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1e6)
    starts = day_start + (rng.beta(2.2, 1.8, size=sessions) * 86_400e6).astype(np.int64)
    session_of = np.repeat(np.arange(sessions), lengths)
    first_index = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(len(session_of)) - first_index
    gaps = np.clip(rng.exponential(45e6, size=len(session_of)), 1e6, 1_200e6).astype(np.int64)
    gaps[position == 0] = 0
    ts = starts[session_of] + _cumsum_within(gaps, first_index)
    return _event_rows(rng, visitors, who[session_of], session_of, position, ts, sessions)


def _cumsum_within(values: Ints, first_index: Ints) -> Ints:
    total = np.cumsum(values)
    return total - (total[first_index] - values[first_index])


def _event_rows(
    rng: np.random.Generator,
    visitors: _Visitors,
    visitor: Ints,
    session_of: Ints,
    position: Ints,
    ts: Ints,
    sessions: int,
) -> pa.Table:
    count = len(ts)
    landing = position == 0
    channel = rng.choice(len(CHANNELS), size=sessions, p=_shares(CHANNELS))[session_of]
    on_landing = np.where(landing, channel, 0)  # later events: internal navigation, "Direct"
    columns = {
        "profile_id": _repeat(visitors.profile_id, count),
        "event_id": random_ids(rng, count),
        "ts": pa.array(ts).cast(pa.timestamp("us", tz="UTC")),
        "received_at": pa.array(ts + 150_000).cast(pa.timestamp("us", tz="UTC")),
        "anonymous_id": pc.take(visitors.anonymous_ids[0], pa.array(visitor)),
        "session_id": pc.take(random_ids(rng, sessions), pa.array(session_of)),
        "visitor_key": pa.array(visitors.keys[0][visitor]),
        **_kind_columns(rng, landing),
        **_page_columns(rng, visitors.profile_id, count),
        **_source_columns(rng, on_landing, landing),
        "is_payment_return": pa.array(np.zeros(count, dtype=bool)),
        **_client_columns(visitors, visitor),
    }
    empty = _repeat("", count)
    rows = {name: columns.get(name, empty) for name in EVENT_SCHEMA.names}
    return pa.table(rows).cast(EVENT_SCHEMA)


def _kind_columns(rng: np.random.Generator, landing: npt.NDArray[np.bool_]) -> dict[str, pa.Array]:
    """Type and name (a session opens with a page view), engaged time, purchases, webhooks."""
    count = len(landing)
    follow = rng.choice(len(FOLLOW_UPS), size=count, p=_shares(FOLLOW_UPS))
    follow[landing] = 0
    types = _pick(_column(FOLLOW_UPS, 0), follow)
    engaged = np.where(pc.equal(types, "engagement"), rng.integers(5_000, 60_000, count), 0)
    purchase = follow == REVENUE
    amounts = np.where(purchase, rng.integers(20, 400, count), 0).astype(np.int32)
    revenue = pa.array(amounts).cast(pa.decimal128(18, 4))
    webhook = purchase & (rng.random(count) < WEBHOOK_SHARE)
    return {
        "type": types,
        "name": _pick(_column(FOLLOW_UPS, 1), follow),
        "engaged_ms": pa.array(engaged.astype(np.int64)),
        "revenue": pc.if_else(pa.array(purchase), revenue, pa.scalar(None, revenue.type)),
        "currency": pc.if_else(pa.array(purchase), "USD", ""),
        "origin": _pick(pa.array(["tracker", "webhook:stripe"]), webhook.astype(np.int64)),
    }


def _page_columns(rng: np.random.Generator, profile_id: str, count: int) -> dict[str, pa.Array]:
    path = np.minimum(rng.zipf(1.6, size=count) - 1, len(PATHS) - 1)
    paths = _pick(pa.array(PATHS), path)
    host = f"{profile_id.replace('_', '-')}.example"
    return {
        "url": pc.binary_join_element_wise(f"https://{host}", paths, ""),
        "host": _repeat(host, count),
        "path": paths,
        "title": paths,
    }


def _source_columns(
    rng: np.random.Generator, channel: Ints, landing: npt.NDArray[np.bool_]
) -> dict[str, pa.Array]:
    names = ("channel", "utm_source", "utm_medium", "utm_campaign", "referrer_domain")
    columns = {name: _pick(_column(CHANNELS, i), channel) for i, name in enumerate(names)}
    click_type = _pick(_column(CHANNELS, 5), channel)
    clicked = pc.and_(pa.array(landing), pc.not_equal(click_type, ""))
    click_id = pc.if_else(clicked, random_ids(rng, len(channel)), "")
    return {**columns, "click_id_type": pc.if_else(clicked, click_type, ""), "click_id": click_id}


def _client_columns(visitors: _Visitors, visitor: Ints) -> dict[str, pa.Array]:
    client = visitors.clients[0][visitor]
    place = visitors.places[0][visitor]
    names = ("device", "browser", "os")
    columns = {name: _pick(_column(CLIENTS, i), client) for i, name in enumerate(names)}
    for i, name in enumerate(("country", "region", "city")):
        columns[name] = _pick(_column(PLACES, i), place)
    return columns


# -- whole data sets ---------------------------------------------------------------------------


def generate(spec: Spec) -> Iterator[pa.Table]:
    """One table per day, all profiles, sorted by time; stops at exactly `spec.events` rows."""
    rng = np.random.default_rng(spec.seed)
    visitors = [_Visitors(profile_id) for profile_id in spec.profile_ids]
    remaining = spec.events
    day = spec.start
    while remaining > 0:
        parts = [
            _day_of_profile(rng, profile_visitors, day, daily)
            for profile_visitors, daily in zip(visitors, spec.daily_visitors, strict=True)
        ]
        table = pa.concat_tables(parts)
        table = table.take(pc.sort_indices(table, [("ts", "ascending")]))
        table = table.slice(0, remaining)
        remaining -= table.num_rows
        day += timedelta(days=1)
        yield table


def store_path(spec: Spec) -> Path:
    return DATA_DIR / f"events-{spec.events}-{len(spec.daily_visitors)}p.duckdb"


def cached(spec: Spec) -> Path | None:
    """The generated store for `spec`, if an identical one is already built."""
    path = store_path(spec)
    marker = path.with_suffix(".json")
    if path.exists() and marker.exists() and json.loads(marker.read_text()) == _marker(spec):
        return path
    return None


def _marker(spec: Spec) -> dict[str, Any]:
    return {"format": FORMAT_VERSION, **asdict(spec), "start": spec.start.isoformat()}


def build_store(spec: Spec) -> Path:
    """Generate `spec` into a DuckDB event store (events + sessions) once; reuse it after."""
    found = cached(spec)
    if found is not None:
        return found
    from touchline.ingest.context import ProfileContext
    from touchline.processing.sessions import recompute_sessions
    from touchline.store import open_store

    path = store_path(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".building")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.unlink(missing_ok=True)
    store = open_store(f"duckdb://{scratch}")
    try:
        store.migrate()
        for table in generate(spec):
            store.append("events", table)
        for profile_id in spec.profile_ids:
            recompute_sessions(store=store, profile=ProfileContext(profile_id=profile_id))
    finally:
        store.close()
    scratch.replace(path)
    path.with_suffix(".json").write_text(json.dumps(_marker(spec)))
    return path
