"""The credits engine (processing/credits.py): incremental updates by watermarks, refunds,
identity moves, settings changes; on both engines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.processing.journey_rows import (
    PROFILE,
    T0,
    add_conversions,
    add_sessions,
    add_touch_rows,
    credits_of,
    days,
    link,
)

from touchline.domain.attribution.settings import AttributionSettings
from touchline.ingest.context import ProfileContext
from touchline.processing import credit_rows
from touchline.processing.credits import recompute_credits, update_credits
from touchline.store.base import EventStore, Sql

PROFILE_CONTEXT = ProfileContext(profile_id=PROFILE)
PROFILES = {PROFILE: PROFILE_CONTEXT}
BIG = 2**64 - 5  # a visitor key above 2^63 (ClickHouse types list parameters by the first item)


def versions(store: EventStore) -> dict[str, int]:
    rows = store.query(Sql("SELECT conversion_id, max(version) FROM credits GROUP BY 1"))
    return {str(c): int(v) for c, v in rows}


def journey(store: EventStore) -> None:
    """Visitor 1 (linked to cust-1 by email) and visitor BIG (anonymous), a payment each."""
    link(store, "email", "a@example.com", "cust-1")
    link(store, "anonymous_id", "anon-1", "cust-1", visitor=1)
    add_sessions(
        store,
        {"session_key": 11, "visitor_key": 1, "started_at": T0 - days(9), "channel": "Email"},
        {"session_key": 12, "visitor_key": 1, "started_at": T0 - days(2)},
        {"session_key": 21, "visitor_key": BIG, "started_at": T0 - days(1),
         "channel": "Paid Search"},
    )  # fmt: skip
    add_conversions(
        store,
        {"conversion_id": "pay-1", "ts": T0, "identity_kind": "email",
         "identity_value": "a@example.com"},
        {"conversion_id": "pay-2", "ts": T0, "visitor_key": BIG},
    )  # fmt: skip


def test_new_conversions_are_credited_and_a_second_update_changes_nothing(
    event_store: EventStore,
) -> None:
    journey(event_store)

    assert update_credits(store=event_store, profiles=PROFILES) == 3
    assert credits_of(event_store, "pay-1", "last_non_direct") == [(11, 1.0), (12, 0.0)]
    assert credits_of(event_store, "pay-2", "linear") == [(21, 1.0)]
    before = versions(event_store)
    assert update_credits(store=event_store, profiles=PROFILES) == 0
    assert versions(event_store) == before


def test_a_new_visit_recomputes_only_its_persons_conversions(event_store: EventStore) -> None:
    journey(event_store)
    update_credits(store=event_store, profiles=PROFILES)
    before = versions(event_store)

    add_sessions(event_store, {"session_key": 22, "visitor_key": BIG, "started_at": T0 - days(3)},
                 version=2)  # fmt: skip
    update_credits(store=event_store, profiles=PROFILES)

    after = versions(event_store)
    assert after["pay-1"] == before["pay-1"]
    assert after["pay-2"] > before["pay-2"]
    assert credits_of(event_store, "pay-2", "linear") == [(22, 0.5), (21, 0.5)]


def test_identifying_a_visitor_pulls_its_earlier_visits_into_the_customers_credits(
    event_store: EventStore,
) -> None:
    journey(event_store)
    update_credits(store=event_store, profiles=PROFILES)

    link(event_store, "anonymous_id", "anon-big", "cust-1", visitor=BIG, version=2)
    update_credits(store=event_store, profiles=PROFILES)

    assert credits_of(event_store, "pay-1", "last_touch") == [(11, 0.0), (12, 0.0), (21, 1.0)]
    assert credits_of(event_store, "pay-2", "last_touch") == [(11, 0.0), (12, 0.0), (21, 1.0)]


def test_unlinking_a_visitor_takes_its_visits_out_of_the_customers_credits(
    event_store: EventStore,
) -> None:
    journey(event_store)
    update_credits(store=event_store, profiles=PROFILES)

    link(event_store, "anonymous_id", "anon-1", "", visitor=1, version=2)  # an unmerge
    update_credits(store=event_store, profiles=PROFILES)

    assert credits_of(event_store, "pay-1", "linear") == []  # unattributed now
    assert credits_of(event_store, "pay-2", "linear") == [(21, 1.0)]


def test_a_refund_is_credited_with_its_payments_shares_and_negative_value(
    event_store: EventStore,
) -> None:
    journey(event_store)
    update_credits(store=event_store, profiles=PROFILES)

    add_conversions(
        event_store,
        {"conversion_id": "refund-1", "ts": T0 + days(1), "refund_of": "pay-1",
         "reporting_value": Decimal("-40"), "value": Decimal("-40")},
        version=2,
    )  # fmt: skip
    update_credits(store=event_store, profiles=PROFILES)

    assert credits_of(event_store, "refund-1", "position_based") == credits_of(
        event_store, "pay-1", "position_based"
    )
    [(total,)] = event_store.query(
        Sql("SELECT sum(linear * reporting_value) FROM credits WHERE conversion_id = 'refund-1'")
    )
    assert float(total) == pytest.approx(-40.0)


def test_a_conversion_that_stops_being_eligible_loses_its_credits(
    event_store: EventStore,
) -> None:
    journey(event_store)
    update_credits(store=event_store, profiles=PROFILES)

    event_store.execute(Sql("DELETE FROM conversions WHERE conversion_id = 'pay-2'"))
    add_conversions(event_store, {"conversion_id": "pay-2", "ts": T0, "visitor_key": BIG,
                                  "attribution_eligible": False}, version=2)  # fmt: skip
    update_credits(store=event_store, profiles=PROFILES)

    assert credits_of(event_store, "pay-2", "linear") == []
    assert credits_of(event_store, "pay-1", "linear") == [(11, 0.5), (12, 0.5)]


def test_a_recompute_with_a_shorter_click_window_drops_the_older_visit(
    event_store: EventStore,
) -> None:
    journey(event_store)
    update_credits(store=event_store, profiles=PROFILES)
    week = ProfileContext(
        profile_id=PROFILE,
        attribution=AttributionSettings(click_window_days=7, first_touch_window_days=7),
    )

    run = recompute_credits(store=event_store, profile=week)

    assert (run.conversions, run.rows) == (2, 2)
    assert credits_of(event_store, "pay-1", "linear") == [(12, 1.0)]


def test_first_touch_looks_back_further_than_the_click_window(event_store: EventStore) -> None:
    journey(event_store)
    settings = AttributionSettings(click_window_days=7, first_touch_window_days=30)

    recompute_credits(store=event_store, profile=ProfileContext(PROFILE, attribution=settings))

    assert credits_of(event_store, "pay-1", "first_touch") == [(11, 1.0), (12, 0.0)]
    assert credits_of(event_store, "pay-1", "last_touch") == [(11, 0.0), (12, 1.0)]
    assert credits_of(event_store, "pay-1", "linear") == [(11, 0.0), (12, 1.0)]


def test_time_decay_falls_back_to_equal_shares_when_every_weight_underflows(
    event_store: EventStore,
) -> None:
    """2^(-gap/half-life) is 0.0 in floating point for gaps over ~107 half-lives."""
    add_sessions(
        event_store,
        {"session_key": 1, "visitor_key": 3, "started_at": T0 - days(300)},
        {"session_key": 2, "visitor_key": 3, "started_at": T0 - days(200)},
    )
    add_conversions(event_store, {"conversion_id": "pay-3", "ts": T0, "visitor_key": 3})
    settings = AttributionSettings(click_window_days=365, half_life_days=0.1)

    recompute_credits(store=event_store, profile=ProfileContext(PROFILE, attribution=settings))

    assert credits_of(event_store, "pay-3", "time_decay") == [(1, 0.5), (2, 0.5)]


def test_an_impression_counts_only_inside_the_view_window(event_store: EventStore) -> None:
    add_touch_rows(
        event_store,
        {"touch_key": 31, "touch_type": "impression", "ts": T0 - days(2), "visitor_key": 4,
         "channel": "Paid Social"},
        {"touch_key": 32, "touch_type": "impression", "ts": T0 - days(0.5), "visitor_key": 4,
         "channel": "Paid Social"},
    )  # fmt: skip
    add_sessions(event_store, {"session_key": 33, "visitor_key": 4, "started_at": T0 - days(3)})
    add_conversions(event_store, {"conversion_id": "pay-4", "ts": T0, "visitor_key": 4})

    update_credits(store=event_store, profiles=PROFILES)

    assert credits_of(event_store, "pay-4", "linear") == [(33, 0.5), (32, 0.5)]


def test_a_conversion_without_any_touch_has_no_credit_rows(event_store: EventStore) -> None:
    add_conversions(event_store, {"conversion_id": "pay-5", "ts": T0, "visitor_key": 5})

    assert update_credits(store=event_store, profiles=PROFILES) == 0
    assert credits_of(event_store, "pay-5", "linear") == []


def _every_credit(store: EventStore) -> list[tuple[object, ...]]:
    return sorted(
        store.query(
            Sql("""SELECT conversion_id, touch_key, position, last_touch, linear, time_decay,
                   position_based FROM credits""")
        )
    )


def test_slices_of_a_few_rows_write_the_same_credits_as_one(
    event_store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    journey(event_store)
    add_conversions(
        event_store,
        {"conversion_id": "refund-2", "ts": T0 + days(1), "refund_of": "pay-2",
         "reporting_value": Decimal("-5"), "value": Decimal("-5")},
        {"conversion_id": "refund-1", "ts": T0 + days(1), "refund_of": "pay-1",
         "reporting_value": Decimal("-40"), "value": Decimal("-40")},
        version=2,
    )  # fmt: skip
    recompute_credits(store=event_store, profile=PROFILE_CONTEXT)
    whole = _every_credit(event_store)

    monkeypatch.setattr(credit_rows, "SLICE_ROWS", 1)  # one conversion a slice
    recompute_credits(store=event_store, profile=PROFILE_CONTEXT)

    assert len(whole) == 6  # pay-1's two touches and pay-2's one, and each refund's copies
    assert _every_credit(event_store) == whole
