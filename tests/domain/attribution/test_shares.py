"""The vectorized shares (domain/attribution/shares.py) equal the pure models (models.py) for
any journeys: shuffled rows, impressions, synthetic touches, ties in time, any windows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchline.domain.attribution.models import credits
from touchline.domain.attribution.settings import AttributionSettings, CustomWeights, Model
from touchline.domain.attribution.shares import (
    IMPRESSION_KIND,
    SESSION_KIND,
    SYNTHETIC_KIND,
    Candidates,
    codes_in_journey_order,
    journey_order,
    model_shares,
)
from touchline.domain.attribution.touches import DIRECT, IMPRESSION, SESSION, SYNTHETIC, Touch
from touchline.domain.attribution.windows import eligible

HOUR = 3_600_000_000
KINDS = {SESSION: SESSION_KIND, SYNTHETIC: SYNTHETIC_KIND, IMPRESSION: IMPRESSION_KIND}
WEIGHTS = {"markov": {"Email": 0.5, DIRECT: 0.2}, "shapley": {"Email": 0.1, "Referral": 0.9}}

touch = st.builds(
    Touch,
    ts_us=st.integers(-60 * 24, 0).map(lambda h: h * HOUR),  # up to 60 days before; ties likely
    channel=st.sampled_from(["Email", DIRECT, "Referral", "Display"]),
    touch_type=st.sampled_from([SESSION, SESSION, SYNTHETIC, IMPRESSION]),
    engagement_score=st.integers(0, 100),
)
journeys = st.lists(st.lists(touch, min_size=1, max_size=7), min_size=1, max_size=6)
profile_settings = st.builds(
    AttributionSettings,
    click_window_days=st.integers(1, 40),
    view_window_hours=st.integers(1, 168),
    first_touch_window_days=st.integers(1, 70),
    half_life_days=st.sampled_from([0.1, 1.0, 7.0]),
    weights=st.sampled_from([CustomWeights(), CustomWeights(0, 100, 0), CustomWeights(60, 0, 40)]),
)


def candidates(paths: list[list[Touch]], seed: int) -> tuple[Candidates, list[Touch]]:
    """Every touch as a row of its conversion (at time 0), in shuffled order."""
    flat = [(c, t) for c, path in enumerate(paths) for t in path]
    keyed = [Touch(t.ts_us, t.channel, t.touch_type, t.engagement_score, key=i + 1)
             for i, (_, t) in enumerate(flat)]  # fmt: skip
    order = np.random.default_rng(seed).permutation(len(flat))
    rows = [(flat[i][0], keyed[i]) for i in order]
    return Candidates(
        conversion=np.array([c for c, _ in rows], np.int64),
        gap=np.array([-t.ts_us for _, t in rows], np.int64),
        kind=np.array([KINDS[t.touch_type] for _, t in rows], np.int64),
        direct=np.array([t.channel == DIRECT for _, t in rows]),
        engagement=np.array([t.engagement_score for _, t in rows], np.int64),
        markov=np.array([WEIGHTS["markov"].get(t.channel, 0.0) for _, t in rows]),
        shapley=np.array([WEIGHTS["shapley"].get(t.channel, 0.0) for _, t in rows]),
        touch_key=np.array([t.key for _, t in rows], np.uint64),
    ), keyed


def ordered(rows: Candidates) -> Candidates:
    at = journey_order(rows.conversion, rows.gap, rows.touch_key)
    return Candidates(
        rows.conversion[at], rows.gap[at], rows.kind[at], rows.direct[at], rows.engagement[at],
        rows.markov[at], rows.shapley[at], rows.touch_key[at],
    )  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(journeys, profile_settings, st.integers(0, 2**32))
def test_vectorized_shares_equal_the_pure_models(
    paths: list[list[Touch]], config: AttributionSettings, seed: int
) -> None:
    rows, keyed = candidates(paths, seed)
    rows = ordered(rows)
    shares = model_shares(rows, config)
    kept = np.arange(len(rows.gap)) if shares.kept is None else shares.kept
    got: dict[tuple[int, int], dict[str, float]] = {}
    for i, row in enumerate(kept.tolist()):
        key = (int(rows.conversion[row]), int(rows.touch_key[row]))
        got[key] = {m: float(v[i]) for m, v in shares.by_model.items()}
    start = 0
    for c, path in enumerate(paths):
        touches, start = keyed[start : start + len(path)], start + len(path)
        for model in Model:
            want = credits(model, touches, 0, config, channel_weights=WEIGHTS.get(model.value))
            keys = [t.key for t in eligible(touches, 0, config, model=model)]
            have = [got[(c, k)][model.value] for k in keys]
            assert have == pytest.approx(want, abs=1e-9), (c, model)


@given(journeys, st.integers(0, 2**32))
def test_positions_count_the_credited_touches_oldest_first(
    paths: list[list[Touch]], seed: int
) -> None:
    rows = ordered(candidates(paths, seed)[0])
    wide = AttributionSettings(click_window_days=365, view_window_hours=168,
                               first_touch_window_days=365)  # fmt: skip
    shares = model_shares(rows, wide)
    kept = np.arange(len(rows.gap)) if shares.kept is None else shares.kept
    for c in np.unique(rows.conversion[kept]).tolist():
        mine = kept[rows.conversion[kept] == c]
        assert shares.position[rows.conversion[kept] == c].tolist() == list(range(1, len(mine) + 1))
        pairs = list(zip((-rows.gap[mine]).tolist(), rows.touch_key[mine].tolist(), strict=True))
        assert pairs == sorted(pairs)


def test_a_coarse_packing_still_orders_exactly() -> None:
    gap = np.array([2**61 + 5, 2**61 + 4, 2**61 + 5, 7], np.int64)  # too wide to pack exactly
    conversion = np.array([3, 3, 3, 3], np.int64)
    key = np.array([9, 8, 1, 2], np.uint64)
    assert journey_order(conversion, gap, key).tolist() == [2, 0, 1, 3]


@given(
    st.lists(
        st.tuples(
            st.integers(0, 5), st.integers(0, 40), st.integers(0, 2**64 - 1), st.integers(0, 300)
        ),
        max_size=60,
    ),
    st.sampled_from([0, 20, 56]),
)
def test_codes_in_journey_order_are_the_codes_of_the_journey_order(
    rows: list[tuple[int, int, int, int]], gap_shift: int
) -> None:
    # Small gaps make ties likely (the exact path); the wide shifts make the packing coarse.
    journey = np.array([r[0] for r in rows], np.int64)
    gap = np.array([r[1] << gap_shift for r in rows], np.int64)
    key = np.array([r[2] for r in rows], np.uint64)
    codes = np.array([r[3] for r in rows], np.uint16)
    expected = codes[journey_order(journey, gap, key)].tolist()
    assert codes_in_journey_order(journey, gap, key, codes).tolist() == expected


def test_codes_of_one_instant_follow_the_touch_keys_not_the_codes() -> None:
    journey = np.array([1, 1, 1, 2], np.int64)
    gap = np.array([10, 10, 30, 5], np.int64)  # two touches of journey 1 at one instant
    key = np.array([7, 3, 9, 1], np.uint64)
    codes = np.array([1, 2, 3, 4], np.uint8)
    assert codes_in_journey_order(journey, gap, key, codes).tolist() == [3, 2, 1, 4]
