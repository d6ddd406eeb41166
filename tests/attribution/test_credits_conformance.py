"""The credits SQL on both engines equals the pure models (domain/attribution/models.py) on
seeded random journeys: every model, every conversion, to 1e-9."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest

from touchline.domain.attribution.models import credits
from touchline.domain.attribution.settings import AttributionSettings, CustomWeights, Model
from touchline.domain.attribution.touches import Touch
from touchline.domain.attribution.windows import eligible
from touchline.ingest.context import ProfileContext
from touchline.processing.credits import recompute_credits
from touchline.store.base import EventStore, Sql
from touchline.store.schema import (
    CHANNEL_WEIGHTS,
    CONVERSIONS,
    IDENTITY_MAP,
    SESSION_COLUMNS,
    SESSION_ENGAGEMENT_COLUMNS,
    TOUCH_ROWS,
    arrow_schema,
)

PROFILE = "p-conf"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
CHANNELS = ["Direct", "Paid Social", "Paid Search", "Email", "Organic Search"]
SETTINGS = AttributionSettings(
    click_window_days=10,
    view_window_hours=24,
    first_touch_window_days=20,
    half_life_days=3.0,
    weights=CustomWeights(first=30, middle=30, last=40),
)


def us(at: datetime) -> int:
    return int(at.timestamp() * 1_000_000)


def _table(columns: Any, rows: list[dict[str, Any]]) -> pa.Table:
    schema = arrow_schema(tuple(columns))
    return pa.Table.from_pylist(rows, schema=schema)


def _defaults(columns: Any, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {}
    for column in columns:
        kind = column.type.value
        base[column.name] = (
            ""
            if kind == "text"
            else 0
            if kind in ("int32", "int64", "uint64")
            else False
            if kind == "bool"
            else 0.0
            if kind == "float64"
            else None
        )
    return {**base, **fields}


def build(store: EventStore, seed: int) -> dict[str, tuple[list[Touch], int]]:
    """Visitors with sessions (some linked to customers), impressions, synthetic touches and
    conversions; returns each conversion's candidate touches and time."""
    rng = random.Random(seed)
    sessions, touch_rows, conversions, links = [], [], [], []
    expected: dict[str, tuple[list[Touch], int]] = {}
    by_person: dict[str, list[Touch]] = defaultdict(list)
    key = 1
    for v in range(30):
        vk = 1000 + v
        person = f"cust{v % 20}" if v % 3 else f"v{vk}"
        if v % 3:
            links.append(
                _defaults(
                    IDENTITY_MAP.columns,
                    profile_id=PROFILE,
                    kind="anonymous_id",
                    value=f"anon{v}",
                    visitor_key=vk,
                    customer_id=person,
                    version=1,
                )
            )
        for _ in range(rng.randint(0, 6)):
            key += 1
            at = T0 + timedelta(hours=rng.randint(0, 40 * 24))
            channel, score = rng.choice(CHANNELS), rng.randint(0, 100)
            sessions.append(
                _defaults(
                    (*SESSION_COLUMNS, *SESSION_ENGAGEMENT_COLUMNS),
                    profile_id=PROFILE,
                    session_key=key,
                    visitor_key=vk,
                    started_at=at,
                    ended_at=at,
                    events=1,
                    pageviews=1,
                    channel=channel,
                    engagement_score=score,
                    version=1,
                )
            )
            by_person[person].append(Touch(us(at), channel, "session", score, key))
        if rng.random() < 0.3:
            key += 1
            at = T0 + timedelta(hours=rng.randint(0, 40 * 24))
            touch_rows.append(
                _defaults(
                    TOUCH_ROWS.columns,
                    profile_id=PROFILE,
                    touch_key=key,
                    touch_type="impression",
                    ts=at,
                    visitor_key=vk,
                    channel="Paid Social",
                    version=1,
                )
            )
            by_person[person].append(Touch(us(at), "Paid Social", "impression", 0, key))
    for c in range(60):
        v = rng.randrange(30)
        vk = 1000 + v
        person = f"cust{v % 20}" if v % 3 else f"v{vk}"
        at = T0 + timedelta(hours=rng.randint(0, 45 * 24), minutes=rng.randint(0, 59))
        cid = f"c{c}"
        conversions.append(
            _defaults(
                CONVERSIONS.columns,
                profile_id=PROFILE,
                conversion_id=cid,
                goal_key="payment_received",
                revenue_type="cash",
                attribution_eligible=True,
                ts=at,
                visitor_key=vk,
                identity_kind="anonymous_id",
                identity_value=f"anon{v}",
                version=1,
            )
        )
        if rng.random() < 0.2:  # a synthetic touch of that person at the conversion
            key += 1
            touch_rows.append(
                _defaults(
                    TOUCH_ROWS.columns,
                    profile_id=PROFILE,
                    touch_key=key,
                    touch_type="synthetic",
                    ts=at,
                    visitor_key=vk,
                    identity_kind="anonymous_id",
                    identity_value=f"anon{v}",
                    channel="Paid Social",
                    engagement_score=25,
                    version=1,
                )
            )
            by_person[person].append(Touch(us(at), "Paid Social", "synthetic", 25, key))
        expected[cid] = (by_person[person], us(at))
    store.append("sessions", _table((*SESSION_COLUMNS, *SESSION_ENGAGEMENT_COLUMNS), sessions))
    store.append("touch_rows", _table(TOUCH_ROWS.columns, touch_rows))
    store.append("conversions", _table(CONVERSIONS.columns, conversions))
    store.append("identity_map", _table(IDENTITY_MAP.columns, links))
    return expected


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_credits_equal_the_pure_models_for_every_model(
    event_store: EventStore, seed: int
) -> None:
    expected = build(event_store, seed)
    profile = ProfileContext(profile_id=PROFILE, attribution=SETTINGS)
    recompute_credits(store=event_store, profile=profile)
    weights = {
        model: {
            str(c): float(w)
            for c, w in event_store.query(
                Sql("SELECT channel, weight FROM channel_weights WHERE model = $m", {"m": model})
            )
        }
        for model in ("markov", "shapley")
    }
    columns = ", ".join(m.value for m in Model)
    stored = event_store.query(
        Sql(
            f"SELECT conversion_id, touch_key, {columns} FROM credits"
            " ORDER BY conversion_id, touch_key"
        )
    )
    got: dict[str, dict[int, tuple[float, ...]]] = defaultdict(dict)
    for row in stored:
        got[str(row[0])][int(row[1])] = tuple(float(x) for x in row[2:])
    checked = 0
    for cid, (touches, at) in expected.items():
        for i, model in enumerate(Model):
            cw = weights.get(model.value)
            want = credits(model, touches, at, SETTINGS, channel_weights=cw)
            keys = [t.key for t in eligible(touches, at, SETTINGS, model=model)]
            have = {k: v[i] for k, v in got.get(cid, {}).items()}
            assert {k: round(have.get(k, 0.0), 9) for k in keys} == {
                k: round(x, 9) for k, x in zip(keys, want, strict=True)
            }, (cid, model)
            assert sum(have.values()) == pytest.approx(sum(want), abs=1e-9)
            checked += len(keys)
    assert checked > 200


def test_the_data_driven_fit_is_stored_per_channel(event_store: EventStore) -> None:
    build(event_store, 3)
    recompute_credits(store=event_store, profile=ProfileContext(profile_id=PROFILE))
    rows = event_store.query(Sql("SELECT model, sum(weight) FROM channel_weights GROUP BY model"))
    assert {m: round(float(s), 9) for m, s in rows} == {"markov": 1.0, "shapley": 1.0}
    assert len(CHANNEL_WEIGHTS.columns) == 7
