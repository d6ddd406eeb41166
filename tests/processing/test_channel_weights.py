"""The journeys the data-driven models are fitted on (processing/channel_weights.py)."""

from __future__ import annotations

from tests.processing.journey_rows import PROFILE, T0, add_conversions, add_sessions, days

from touchline.ingest.context import ProfileContext
from touchline.processing.channel_weights import (
    fit_channel_weights,
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
