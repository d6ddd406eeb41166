"""Synthetic attribution journeys for T9 (and the credits tests): sessions, conversions and the
identity map of one profile as Arrow tables, vectorized with numpy so 1M conversions take
seconds.

Each converting person has 1 + Poisson(4) visits inside the 30-day click window before their one
conversion (~5 in-window touches), a share of them an older visit (first-touch window only);
half the conversions are server-side payments identified by email, linked through the identity
map to the visitor (and, for some, a second device); non-converting visitors give the
data-driven models their null paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from touchline.store.schema import CONVERSIONS, IDENTITY_MAP, arrow_schema

DAY_US: Final = 86_400_000_000
END: Final = datetime(2026, 1, 1, tzinfo=UTC)
# channel, utm_source, utm_medium, utm_campaign, share
CHANNELS: Final = (
    ("Direct", "", "", "", 0.22),
    ("Organic Search", "", "", "", 0.22),
    ("Paid Social", "facebook", "paid", "spring_promo", 0.14),
    ("Paid Search", "google", "cpc", "brand", 0.12),
    ("Organic Social", "", "", "", 0.07),
    ("Email", "newsletter", "email", "monthly", 0.09),
    ("Referral", "", "", "", 0.08),
    ("Display", "gdn", "display", "awareness", 0.06),
)
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class JourneySpec:
    conversions: int
    extra_touches_mean: float = 4.0  # visits per conversion = 1 + Poisson(this)
    identified_share: float = 0.5  # conversions identified by email, not by their browser
    second_device_share: float = 0.2  # of identified persons: visits from two browsers
    old_touch_share: float = 0.2  # persons with one more visit 31-89 days before converting
    quiet_visitors: float = 0.5  # non-converting visitors per conversion (1-3 visits each)
    days: int = 365
    seed: int = 9
    profile_id: str = "prof_bench_t9"
    first_conversion: int = 0  # numbering offset, so a second batch has new ids


@dataclass(frozen=True, slots=True)
class Journeys:
    sessions: pa.Table
    conversions: pa.Table
    identity_map: pa.Table


def generate(spec: JourneySpec, *, version: int = 1) -> Journeys:
    rng = np.random.default_rng(spec.seed)
    n = spec.conversions
    end_us = int(END.timestamp() * 1_000_000)
    conv_ts = end_us - rng.integers(0, spec.days * DAY_US, n)
    ids = np.arange(spec.first_conversion, spec.first_conversion + n, dtype=np.int64)
    identified = rng.random(n) < spec.identified_share
    second = identified & (rng.random(n) < spec.second_device_share)
    visitors = _visitor_keys(ids, spec.seed, 1)
    others = _visitor_keys(ids, spec.seed, 2)
    visits = 1 + rng.poisson(spec.extra_touches_mean, n)
    owner = np.repeat(np.arange(n), visits)
    ts = conv_ts[owner] - rng.integers(0, 30 * DAY_US, owner.size)
    use_other = second[owner] & (rng.random(owner.size) < 0.5)
    keys = np.where(use_other, others[owner], visitors[owner])
    old = np.flatnonzero(rng.random(n) < spec.old_touch_share)
    old_ts = conv_ts[old] - rng.integers(31 * DAY_US, 89 * DAY_US, old.size)
    quiet_n = int(n * spec.quiet_visitors)
    quiet_keys = _visitor_keys(ids[:quiet_n] if quiet_n <= n else np.arange(quiet_n), spec.seed, 3)
    quiet_visits = rng.integers(1, 4, quiet_n)
    quiet_owner = np.repeat(np.arange(quiet_n), quiet_visits)
    quiet_ts = end_us - rng.integers(0, spec.days * DAY_US, quiet_n)[quiet_owner]
    quiet_ts = quiet_ts - rng.integers(0, 20 * DAY_US, quiet_owner.size)
    session_keys = np.concatenate([keys, visitors[old], quiet_keys[quiet_owner]])
    session_ts = np.concatenate([ts, old_ts, quiet_ts])
    sessions = _sessions(spec, rng, session_keys, session_ts, version)
    conversions = _conversions(spec, rng, ids, conv_ts, identified, visitors, version)
    identity = _identity_map(spec, ids, identified, second, visitors, others, version)
    return Journeys(sessions, conversions, identity)


def _visitor_keys(ids: Ints, seed: int, salt: int) -> npt.NDArray[np.uint64]:
    """Distinct, well-spread uint64 keys (a multiplicative hash of id, seed and salt)."""
    mixed = (ids.astype(np.uint64) + np.uint64(seed * 1_000_003 + salt)) * np.uint64(
        0x9E3779B97F4A7C15
    )
    return mixed ^ (mixed >> np.uint64(29)) | np.uint64(1)


def _sessions(
    spec: JourneySpec,
    rng: np.random.Generator,
    visitor: npt.NDArray[np.uint64],
    ts: Ints,
    version: int,
) -> pa.Table:
    count = visitor.size
    shares = np.array([c[-1] for c in CHANNELS])
    channel = rng.choice(len(CHANNELS), count, p=shares / shares.sum())
    pick = pa.array(channel.astype(np.int32))
    text = {
        name: pa.array([c[i] for c in CHANNELS]).take(pick)
        for i, name in enumerate(("channel", "utm_source", "utm_medium", "utm_campaign"))
    }
    start = pa.array(ts, pa.timestamp("us", tz="UTC"))
    columns: dict[str, pa.Array] = {
        "profile_id": pa.repeat(spec.profile_id, count).cast(pa.string()),
        "session_key": pa.array(_session_keys(visitor, ts)),
        "visitor_key": pa.array(visitor),
        "started_at": start,
        "ended_at": start,
        "events": pa.array(np.ones(count, np.int32)),
        "pageviews": pa.array(np.ones(count, np.int32)),
        "interactions": pa.array(np.zeros(count, np.int32)),
        "engagement_score": pa.array(rng.integers(0, 101, count).astype(np.int32)),
        "version": pa.repeat(version, count).cast(pa.int64()),
        **text,
    }
    return pa.table(columns)


def _session_keys(visitor: npt.NDArray[np.uint64], ts: Ints) -> npt.NDArray[np.uint64]:
    mixed = (visitor ^ ts.astype(np.uint64)) * np.uint64(0xBF58476D1CE4E5B9)
    return mixed ^ (mixed >> np.uint64(31)) | np.uint64(1)


def _conversions(
    spec: JourneySpec,
    rng: np.random.Generator,
    ids: Ints,
    ts: Ints,
    identified: npt.NDArray[np.bool_],
    visitors: npt.NDArray[np.uint64],
    version: int,
) -> pa.Table:
    n = ids.size
    dollars = rng.integers(10, 500, n)
    names = pa.array(np.char.add("conv-", ids.astype(str)))
    emails = pa.array(np.char.add(np.char.add("p", ids.astype(str)), "@example.com"))
    empty = pa.repeat("", n).cast(pa.string())
    mask = pa.array(identified)
    values = pa.array(dollars.astype(np.int32)).cast(pa.decimal128(18, 4))
    columns: dict[str, pa.Array] = {
        "profile_id": pa.repeat(spec.profile_id, n).cast(pa.string()),
        "conversion_id": names,
        "goal_key": pa.repeat("payment_received", n).cast(pa.string()),
        "event_name": pa.repeat("payment_received", n).cast(pa.string()),
        "revenue_type": pa.repeat("cash", n).cast(pa.string()),
        "attribution_eligible": pa.repeat(True, n).cast(pa.bool_()),
        "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "visitor_key": pa.array(np.where(identified, np.uint64(0), visitors)),
        "identity_kind": pa.compute.if_else(mask, "email", empty),
        "identity_value": pa.compute.if_else(mask, emails, empty),
        "value": values,
        "currency": pa.repeat("USD", n).cast(pa.string()),
        "reporting_value": values,
        "reporting_currency": pa.repeat("USD", n).cast(pa.string()),
        "refund_of": empty,
        "version": pa.repeat(version, n).cast(pa.int64()),
    }
    return _full(columns, CONVERSIONS.columns, n)


def _identity_map(
    spec: JourneySpec,
    ids: Ints,
    identified: npt.NDArray[np.bool_],
    second: npt.NDArray[np.bool_],
    visitors: npt.NDArray[np.uint64],
    others: npt.NDArray[np.uint64],
    version: int,
) -> pa.Table:
    who = ids[identified]
    customers = np.char.add("cust-", who.astype(str))
    emails = np.char.add(np.char.add("p", who.astype(str)), "@example.com")
    two = ids[second]
    kinds = ["email"] * who.size + ["anonymous_id"] * (who.size + two.size)
    values = np.concatenate(
        [emails, np.char.add("a1-", who.astype(str)), np.char.add("a2-", two.astype(str))]
    )
    keys = np.concatenate([np.zeros(who.size, np.uint64), visitors[identified], others[second]])
    owners = np.concatenate([customers, customers, np.char.add("cust-", two.astype(str))])
    count = len(kinds)
    return pa.table(
        {
            "profile_id": pa.repeat(spec.profile_id, count).cast(pa.string()),
            "kind": pa.array(kinds, pa.string()),
            "value": pa.array(values),
            "visitor_key": pa.array(keys),
            "customer_id": pa.array(owners),
            "version": pa.repeat(version, count).cast(pa.int64()),
        },
        schema=arrow_schema(IDENTITY_MAP.columns),
    )


def _full(columns: dict[str, pa.Array], schema_columns: tuple[object, ...], n: int) -> pa.Table:
    """`columns` plus every other column of the table, empty ('' / 0 / NULL)."""
    schema = arrow_schema(schema_columns)  # type: ignore[arg-type]
    out = []
    for field in schema:
        if field.name in columns:
            out.append(columns[field.name].cast(field.type))
        elif pa.types.is_string(field.type):
            out.append(pa.repeat("", n).cast(field.type))
        else:
            out.append(pa.nulls(n, field.type))
    return pa.table(out, schema=schema)
