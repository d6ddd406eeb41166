"""Synthetic and impression touches (processing/touches.py) on both engines."""

from __future__ import annotations

from typing import Any

import orjson
from tests.analytics.rows import append, entity
from tests.processing.journey_rows import PROFILE, T0, add_conversions, add_sessions, days, link
from tests.store.engines import event_row, event_table

from touchline.domain.attribution.touches import SYNTHETIC_ENGAGEMENT_FLOOR
from touchline.ingest.context import ProfileContext
from touchline.processing.touches import update_touches
from touchline.store.base import EventStore, Sql
from touchline.store.record_tables import AD_ENTITIES

PROFILES = {PROFILE: ProfileContext(profile_id=PROFILE)}
META_LEAD: dict[str, Any] = {"campaign_id": "120200", "ad_id": "120201", "click_id_type": "fbclid",
                             "click_id": "fb.1"}  # fmt: skip


def touch_rows(store: EventStore) -> list[dict[str, Any]]:
    table = store.query_arrow(
        Sql("SELECT * FROM touch_rows ORDER BY touch_type, conversion_id, ts")
    )
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def test_a_conversion_with_ad_ids_and_no_visit_gets_one_synthetic_touch(
    event_store: EventStore,
) -> None:
    add_conversions(event_store, {"conversion_id": "lead-1", "ts": T0, "identity_kind": "email",
                                  "identity_value": "a@example.com", **META_LEAD})  # fmt: skip

    assert update_touches(store=event_store, profiles=PROFILES) == 1

    [touch] = touch_rows(event_store)
    assert touch["touch_type"] == "synthetic"
    assert touch["conversion_id"] == "lead-1"
    assert touch["ts"] == T0
    assert touch["channel"] == "Paid Social"
    assert touch["campaign_id"] == "120200" and touch["ad_id"] == "120201"
    assert touch["engagement_score"] == SYNTHETIC_ENGAGEMENT_FLOOR
    assert (touch["identity_kind"], touch["identity_value"]) == ("email", "a@example.com")


def test_running_again_or_after_the_watermark_adds_no_second_synthetic_touch(
    event_store: EventStore,
) -> None:
    add_conversions(event_store, {"conversion_id": "lead-1", "ts": T0, **META_LEAD})
    update_touches(store=event_store, profiles=PROFILES)
    assert update_touches(store=event_store, profiles=PROFILES) == 0
    # The same conversion rewritten (a newer version) is seen again, and still gets one touch.
    add_conversions(event_store, {"conversion_id": "lead-1", "ts": T0, **META_LEAD}, version=5)
    assert update_touches(store=event_store, profiles=PROFILES) == 0
    assert len(touch_rows(event_store)) == 1


def test_a_visit_of_the_same_person_before_the_conversion_means_no_synthetic_touch(
    event_store: EventStore,
) -> None:
    link(event_store, "email", "a@example.com", "cust-1")
    link(event_store, "anonymous_id", "anon-a", "cust-1", visitor=77)
    add_sessions(event_store, {"session_key": 1, "visitor_key": 77, "started_at": T0 - days(3)})
    add_conversions(
        event_store,
        {"conversion_id": "pay-1", "ts": T0, "identity_kind": "email",
         "identity_value": "a@example.com", "utm_campaign": "spring"},
        {"conversion_id": "pay-2", "ts": T0 - days(5), "identity_kind": "email",
         "identity_value": "a@example.com", "utm_campaign": "spring"},
    )  # fmt: skip

    update_touches(store=event_store, profiles=PROFILES)

    # pay-2 came before the visit: it is the one without a web touch.
    assert [t["conversion_id"] for t in touch_rows(event_store)] == ["pay-2"]


def test_conversions_without_campaign_data_and_refunds_get_no_synthetic_touch(
    event_store: EventStore,
) -> None:
    add_conversions(
        event_store,
        {"conversion_id": "pay-1", "ts": T0, "visitor_key": 5},
        {"conversion_id": "refund-1", "ts": T0, "refund_of": "pay-1", **META_LEAD},
    )

    assert update_touches(store=event_store, profiles=PROFILES) == 0


def test_a_google_click_id_makes_a_paid_search_synthetic_touch(event_store: EventStore) -> None:
    add_conversions(event_store, {"conversion_id": "lead-9", "ts": T0, "visitor_key": 9,
                                  "click_id_type": "gclid", "click_id": "g.1"})  # fmt: skip

    update_touches(store=event_store, profiles=PROFILES)

    assert [t["channel"] for t in touch_rows(event_store)] == ["Paid Search"]


def test_ad_ids_alone_make_a_paid_synthetic_touch(event_store: EventStore) -> None:
    # A CRM lead with campaign and ad ids but no click id and no UTMs: an ad was clicked, so the
    # touch is paid (Meta's, the usual source of such leads, when no synced entity says).
    add_conversions(event_store, {"conversion_id": "lead-2", "ts": T0, "visitor_key": 2,
                                  "campaign_id": "120200", "ad_id": "120201"})  # fmt: skip

    update_touches(store=event_store, profiles=PROFILES)

    [touch] = touch_rows(event_store)
    assert touch["channel"] == "Paid Social"
    assert (touch["utm_source"], touch["utm_medium"]) == ("", "")  # stored as they came


def test_a_synced_google_ads_campaign_makes_a_paid_search_synthetic_touch(
    event_store: EventStore,
) -> None:
    append(
        event_store,
        "ad_entities",
        AD_ENTITIES.columns,
        [
            entity("campaign", "9912", "Brand search", platform="google_ads", profile_id=PROFILE),
            entity("campaign", "120200", "Leads", platform="meta", profile_id=PROFILE),
        ],
    )
    add_conversions(
        event_store,
        {"conversion_id": "lead-g", "ts": T0, "visitor_key": 3, "campaign_id": "9912"},
        {"conversion_id": "lead-m", "ts": T0, "visitor_key": 4, "campaign_id": "120200"},
    )  # fmt: skip

    update_touches(store=event_store, profiles=PROFILES)

    channels = {t["conversion_id"]: t["channel"] for t in touch_rows(event_store)}
    assert channels == {"lead-g": "Paid Search", "lead-m": "Paid Social"}


def _impression(event_id: str, **payload: Any) -> dict[str, Any]:
    return event_row(
        profile_id=PROFILE, event_id=event_id, type="impression", name="impression", ts=T0,
        anonymous_id="anon-i", payload=orjson.dumps(payload).decode(),
    )  # fmt: skip


def test_impression_events_with_campaign_data_become_impression_touches_once(
    event_store: EventStore,
) -> None:
    batch = event_table(
        [
            _impression("imp-1", campaign_id="c-1", utm_source="facebook"),
            _impression("imp-2", note="no campaign data"),
        ]
    )

    assert update_touches(store=event_store, new_rows=batch, profiles=PROFILES) == 1
    update_touches(store=event_store, new_rows=batch, profiles=PROFILES)  # a replayed batch

    [touch] = touch_rows(event_store)
    assert (touch["touch_type"], touch["campaign_id"]) == ("impression", "c-1")
    assert (
        touch["visitor_key"] == event_row(profile_id=PROFILE, anonymous_id="anon-i")["visitor_key"]
    )
