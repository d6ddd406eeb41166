"""The journeys the data-driven models are fitted on (processing/channel_weights.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tests.processing.journey_rows import (
    PROFILE,
    T0,
    add_conversions,
    add_sessions,
    add_touch_rows,
    days,
)

from touchline.domain.attribution.markov import markov_weights
from touchline.domain.attribution.paths import PathCounts
from touchline.domain.attribution.settings import AttributionSettings
from touchline.domain.attribution.shapley import shapley_weights
from touchline.domain.attribution.touches import IMPRESSION, SESSION, SYNTHETIC
from touchline.ingest.context import ProfileContext
from touchline.processing import credit_queries as q
from touchline.processing.channel_weights import (
    fit_channel_weights,
    journey_path_set,
    journey_paths,
    weights_stale,
)
from touchline.store.base import EventStore, Sql


def visit(key: int, visitor: int, ago: float, channel: str) -> dict[str, object]:
    return {"session_key": key, "visitor_key": visitor, "started_at": T0 - days(ago),
            "channel": channel}  # fmt: skip


def test_paths_are_channel_sequences_oldest_first_counted_per_journey(
    event_store: EventStore,
) -> None:
    add_sessions(
        event_store,
        # Two converting visitors with the same path; ties in time are ordered by key.
        visit(1, 101, 3, "Email"), visit(2, 101, 1, "Direct"), visit(3, 101, 1, "Paid Search"),
        visit(4, 102, 5, "Email"), visit(6, 102, 2, "Paid Search"), visit(5, 102, 2, "Direct"),
        visit(7, 102, 40, "Display"),  # outside the 30-day click window
        # A visitor who never converted: the visits within 30 days of the last one.
        visit(8, 103, 50, "Referral"), visit(9, 103, 10, "Display"), visit(10, 103, 9, "Email"),
    )  # fmt: skip
    add_conversions(
        event_store,
        {"conversion_id": "pay-1", "ts": T0, "visitor_key": 101},
        {"conversion_id": "pay-2", "ts": T0, "visitor_key": 102},
    )

    paths = journey_paths(event_store, ProfileContext(profile_id=PROFILE))

    assert paths == {
        ("Email", "Direct", "Paid Search"): [2, 0],
        ("Display", "Email"): [0, 1],
    }


def test_the_path_set_names_the_channels_of_touches_not_every_channel_of_the_profile(
    event_store: EventStore,
) -> None:
    add_sessions(
        event_store,
        visit(1, 101, 3, "Email"), visit(2, 101, 1, "Direct"),
        {**visit(4, 103, 1, "Affiliate"), "pageviews": 0, "interactions": 0},  # not a touch
    )  # fmt: skip
    add_conversions(event_store, {"conversion_id": "pay-1", "ts": T0, "visitor_key": 101})
    add_sessions(event_store, visit(5, 102, 2, "Email"))

    paths = journey_path_set(event_store, ProfileContext(profile_id=PROFILE))

    assert paths.channels == ("Direct", "Email")
    assert paths.counts() == {("Email", "Direct"): [1, 0], ("Email",): [0, 1]}


def test_a_channel_that_appears_between_the_two_reads_sends_the_fit_back_to_read_both(
    event_store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_sessions(event_store, visit(1, 101, 3, "Email"), visit(2, 101, 1, "Paid Search"))
    add_conversions(event_store, {"conversion_id": "pay-1", "ts": T0, "visitor_key": 101})
    reads: list[list[tuple[object, ...]]] = []
    query = event_store.query

    def stale_first_read(sql: Sql) -> list[tuple[object, ...]]:
        rows = query(sql)
        if sql.text == q.JOURNEY_CHANNELS:  # the first read misses the newest channel
            rows = [r for r in rows if r[0] != "Paid Search"] if not reads else rows
            reads.append(rows)
        return rows

    monkeypatch.setattr(event_store, "query", stale_first_read)

    paths = journey_path_set(event_store, ProfileContext(profile_id=PROFILE))

    assert len(reads) == 2
    assert paths.counts() == {("Email", "Paid Search"): [1, 0]}


def test_a_fit_is_stale_until_made_and_again_after_ten_percent_more_conversions(
    event_store: EventStore,
) -> None:
    profile = ProfileContext(profile_id=PROFILE)
    add_sessions(event_store, *(visit(k, 200 + k, 1, "Email") for k in range(10)))
    add_conversions(
        event_store, *({"conversion_id": f"c{k}", "ts": T0, "visitor_key": 200 + k}
                       for k in range(10))
    )  # fmt: skip
    assert weights_stale(store=event_store, profile_id=PROFILE)

    assert fit_channel_weights(store=event_store, profile=profile) == 10
    assert not weights_stale(store=event_store, profile_id=PROFILE)
    add_conversions(event_store, {"conversion_id": "c10", "ts": T0, "visitor_key": 999})
    assert weights_stale(store=event_store, profile_id=PROFILE)

    rows = event_store.query(Sql("SELECT model, channel, weight FROM channel_weights"))
    assert sorted((str(m), str(c), float(w)) for m, c, w in rows) == [
        ("markov", "Email", 1.0),
        ("shapley", "Email", 1.0),
    ]


# --- The journeys the engine extracts equal a plain Python grouping of the same rows ----------

HOUR = 3_600_000_000  # µs
VISITOR = 500
half_days = st.integers(0, 40).map(lambda n: 12 * n)  # hours: ties and window edges likely
step = st.tuples(  # visitor, hours before T0, channel, touch type
    st.integers(0, 3),
    half_days,
    st.sampled_from(["Email", "Direct", "Paid Search", "Display"]),
    st.sampled_from([SESSION, SESSION, SYNTHETIC, IMPRESSION]),
)
sale = st.tuples(st.integers(0, 3), half_days, st.booleans())  # visitor, hours, eligible
Step = tuple[int, int, str, str]
Sale = tuple[int, int, bool]


def expected_paths(steps: list[Step], sales: list[Sale], click_days: int) -> PathCounts:
    """The fit's journeys by the rules, grouped in Python: each eligible sale's touches within
    the click window before it (impressions aside), oldest first (ties by key); each visitor
    without one, their visits within the click window before their last."""
    window = click_days * 24 * HOUR
    ordered = sorted((-hours * HOUR, key, v, channel, kind)
                     for key, (v, hours, channel, kind) in enumerate(steps, 1))  # fmt: skip
    out: Counter[tuple[tuple[str, ...], int]] = Counter()
    for v, hours, eligible in sales:
        at = -hours * HOUR
        path = tuple(ch for t, _, w, ch, kind in ordered
                     if w == v and kind != IMPRESSION and 0 <= at - t <= window)  # fmt: skip
        if eligible and path:
            out[path, 0] += 1
    buyers = {v for v, _, eligible in sales if eligible}
    for v in {w for _, _, w, _, kind in ordered if kind == SESSION} - buyers:
        visits = [(t, ch) for t, _, w, ch, kind in ordered if w == v and kind == SESSION]
        out[tuple(ch for t, ch in visits if visits[-1][0] - t <= window), 1] += 1
    return {p: (out[p, 0], out[p, 1]) for p, _ in out}


def store_rows(store: EventStore, profile: str, steps: list[Step], sales: list[Sale]) -> None:
    sessions = [
        {"profile_id": profile, "session_key": key, "visitor_key": VISITOR + v,
         "started_at": T0 - hours * dt.timedelta(hours=1), "channel": channel}
        for key, (v, hours, channel, kind) in enumerate(steps, 1) if kind == SESSION
    ]  # fmt: skip
    touches = [
        {"profile_id": profile, "touch_key": key, "visitor_key": VISITOR + v, "touch_type": kind,
         "ts": T0 - hours * dt.timedelta(hours=1), "channel": channel}
        for key, (v, hours, channel, kind) in enumerate(steps, 1) if kind != SESSION
    ]  # fmt: skip
    conversions = [
        {"profile_id": profile, "conversion_id": f"sale-{i}", "visitor_key": VISITOR + v,
         "ts": T0 - hours * dt.timedelta(hours=1), "attribution_eligible": eligible}
        for i, (v, hours, eligible) in enumerate(sales)
    ]  # fmt: skip
    if sessions:
        add_sessions(store, *sessions)
    if touches:
        add_touch_rows(store, *touches)
    if conversions:
        add_conversions(store, *conversions)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(step, max_size=30),
    sales=st.lists(sale, max_size=8),
    click_days=st.sampled_from([1, 7, 30]),
)
@example(  # ties in time on both kinds of journey, a visit exactly a click window before
    steps=[(0, 0, "Email", SESSION), (0, 0, "Direct", SESSION), (0, 168, "Display", SESSION),
           (1, 12, "Email", SESSION), (1, 12, "Direct", SYNTHETIC), (1, 0, "Display", SESSION)],
    sales=[(1, 0, True), (2, 0, False)],
    click_days=7,
)  # fmt: skip
def test_extracted_journeys_and_fits_equal_a_python_grouping_of_the_same_rows(
    event_store: EventStore, steps: list[Step], sales: list[Sale], click_days: int
) -> None:
    profile = ProfileContext(
        profile_id=f"prof_{uuid.uuid4().hex[:10]}",
        attribution=AttributionSettings(click_window_days=click_days),
    )
    store_rows(event_store, profile.profile_id, steps, sales)
    want = expected_paths(steps, sales, click_days)

    extracted = journey_path_set(event_store, profile)

    assert journey_paths(event_store, profile) == {p: list(c) for p, c in want.items()}
    markov, plain = markov_weights(extracted), markov_weights(want)
    assert markov.weights == pytest.approx(plain.weights, abs=1e-12)
    assert markov.removal_effects == pytest.approx(plain.removal_effects, abs=1e-12)
    assert shapley_weights(extracted) == pytest.approx(shapley_weights(want), abs=1e-12)
