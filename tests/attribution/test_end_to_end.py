"""Attribution end to end: events through the real ingest path (pipeline → spool → loader →
after-load steps) into sessions, identities, conversions, touches and credits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.attribution.journeys import T0, World, days, payment, visit, world

from touchline.control.db import Database
from touchline.identity.graph import unmerge
from touchline.identity.mirror import sync_identity_map
from touchline.ingest.protocol import Identity
from touchline.processing.credits import recompute_credits, update_credits
from touchline.store import open_store
from touchline.store.base import EventStore, Sql

AD = "https://shop.example/?utm_source=facebook&utm_medium=paid&utm_campaign=spring&fbclid=c1"
SERVER = "webhook:test"


@pytest.fixture
def w(tmp_path: Path) -> World:
    return world(tmp_path)


@pytest.fixture
def store(w: World) -> Iterator[EventStore]:
    opened = open_store(w.settings.resolved_event_store_url)
    yield opened
    opened.close()


def rows(w: World, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    store = open_store(w.settings.resolved_event_store_url)
    try:
        return store.query(Sql(sql, params))
    finally:
        store.close()


def credits_of(w: World, conversion: str, model: str) -> list[tuple[str, float]]:
    return [
        (str(c), round(float(x), 6))
        for c, x in rows(
            w,
            f"SELECT channel, {model} FROM credits WHERE conversion_id = $c ORDER BY position",
            c=conversion,
        )
    ]


def test_an_identified_visitors_payment_credits_their_earlier_visits(w: World) -> None:
    w.send(
        visit("a1", T0, url=AD),
        visit(
            "a1", T0 + days(2), url="https://shop.example/blog", referrer="https://www.google.com/"
        ),
        visit("a1", T0 + days(3)),
        visit(
            "a1",
            T0 + days(3) + timedelta(minutes=1),
            type="identify",
            identity=Identity(email="Jane@Example.com"),
        ),
    )
    pay = payment(T0 + days(4), 120, ref="pi_1", email="jane@example.com")
    w.send(pay, origin=SERVER)

    assert credits_of(w, pay.event_id, "last_touch") == [
        ("Paid Social", 0.0),
        ("Organic Search", 0.0),
        ("Direct", 1.0),
    ]
    assert credits_of(w, pay.event_id, "first_touch")[0] == ("Paid Social", 1.0)
    assert credits_of(w, pay.event_id, "last_non_direct")[1] == ("Organic Search", 1.0)
    assert [c for _, c in credits_of(w, pay.event_id, "position_based")] == [0.4, 0.2, 0.4]
    [(value, status)] = rows(w, "SELECT reporting_value, fx_status FROM conversions")
    assert (value, status) == (Decimal("120.0000"), "same")


def test_a_payment_without_identity_is_unattributed_and_redelivery_counts_once(w: World) -> None:
    w.send(visit("a1", T0, url=AD))
    pay = payment(T0 + days(1), 50, ref="pi_2", email="nobody@example.com")
    w.send(pay, origin=SERVER)
    again = payment(T0 + days(1), 50, ref="pi_2", email="nobody@example.com")
    w.send(again, origin=SERVER)

    assert rows(w, "SELECT count(*) FROM conversions") == [(1,)]
    assert rows(w, "SELECT count(*) FROM credits") == [(0,)]


def test_a_refund_reduces_cash_on_the_touches_the_payment_credited(w: World) -> None:
    w.send(
        visit("a1", T0, url=AD),
        visit("a1", T0 + days(1), type="identify", identity=Identity(email="r@example.com")),
    )
    pay = payment(T0 + days(2), 100, ref="pi_3", email="r@example.com")
    refund = payment(
        T0 + days(5),
        30,
        ref="re_1",
        email="r@example.com",
        name="payment_refunded",
        refund_of="pi_3",
    )
    w.send(pay, origin=SERVER)
    w.send(refund, origin=SERVER)

    [(refund_of, value)] = rows(
        w,
        "SELECT refund_of, reporting_value FROM conversions WHERE conversion_id = $c",
        c=refund.event_id,
    )
    assert (refund_of, value) == (pay.event_id, Decimal("-30.0000"))
    net = rows(w, "SELECT sum(linear * reporting_value) FROM credits WHERE revenue_type = 'cash'")
    assert float(net[0][0]) == pytest.approx(70.0)


def test_a_crm_lead_with_ad_ids_and_no_visit_gets_one_synthetic_touch(w: World) -> None:
    lead = payment(
        T0,
        0,
        ref="",
        email="lead@example.com",
        name="lead_created",
        campaign_id="120001",
        fbclid="fb.1",
    )
    w.send(lead, origin=SERVER)
    w.send(payment(T0 + days(1), 10, ref="pi_9", email="other@example.com"), origin=SERVER)

    touches = rows(w, "SELECT touch_type, channel, campaign_id, conversion_id FROM touch_rows")
    assert touches == [("synthetic", "Paid Social", "120001", lead.event_id)]
    assert credits_of(w, lead.event_id, "last_touch") == [("Paid Social", 1.0)]
    assert rows(w, "SELECT count(*) FROM sessions") == [(0,)]  # never traffic


def test_identify_merges_email_and_phone_customers_and_unmerge_restores_both(w: World) -> None:
    w.send(
        visit("mail", T0, url=AD),
        visit(
            "mail",
            T0 + timedelta(minutes=1),
            type="identify",
            identity=Identity(email="m@example.com"),
        ),
        visit("phone", T0 + days(1), url="https://shop.example/", referrer="https://news.example/"),
        visit(
            "phone",
            T0
            + days(
                1,
            )
            + timedelta(minutes=1),
            type="identify",
            identity=Identity(phone="+14155552671"),
        ),
    )
    pay = payment(T0 + days(2), 80, ref="pi_m", email="m@example.com")
    w.send(pay, origin=SERVER)
    assert [c for c, _ in credits_of(w, pay.event_id, "linear")] == ["Paid Social"]

    # Both identifiers meet: the phone-only customer merges into the email one (§9 #64).
    w.send(
        visit(
            "phone",
            T0
            + days(
                1,
            )
            + timedelta(minutes=2),
            type="identify",
            identity=Identity(email="m@example.com", phone="+14155552671"),
        )
    )
    assert [c for c, _ in credits_of(w, pay.event_id, "linear")] == ["Paid Social", "Referral"]

    database = Database.open(w.settings)
    store = open_store(w.settings.resolved_event_store_url)
    try:
        with database.transaction() as session:
            from touchline.control.models.customer import IdentityMerge

            [merge] = session.query(IdentityMerge).all()
            unmerge(session, merge.id, now=T0, version=2**62)
        sync_identity_map(database=database, store=store)
        update_credits(store=store, profiles={w.profile.profile_id: w.profile})
    finally:
        store.close()
        database.close()
    assert [c for c, _ in credits_of(w, pay.event_id, "linear")] == ["Paid Social"]


def test_a_window_change_recomputes_the_profile(w: World) -> None:
    w.send(
        visit("a1", T0, url=AD),
        visit(
            "a1",
            T0 + timedelta(minutes=1),
            type="identify",
            identity=Identity(email="late@example.com"),
        ),
    )
    pay = payment(T0 + days(20), 10, ref="pi_late", email="late@example.com")
    w.send(pay, origin=SERVER)
    assert credits_of(w, pay.event_id, "last_touch") == [("Paid Social", 1.0)]

    from dataclasses import replace

    from touchline.domain.attribution.settings import AttributionSettings

    shorter = replace(w.profile, attribution=AttributionSettings(click_window_days=7))
    store = open_store(w.settings.resolved_event_store_url)
    try:
        run = recompute_credits(store=store, profile=shorter)
    finally:
        store.close()
    # 20 days is outside the new 7-day click window but inside the 90-day first-touch window.
    assert credits_of(w, pay.event_id, "last_touch") == [("Paid Social", 0.0)]
    assert credits_of(w, pay.event_id, "first_touch") == [("Paid Social", 1.0)]
    assert run.conversions == 1
