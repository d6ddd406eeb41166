"""Records from connectors become ad entities, daily insights (spend in the reporting
currency at the day's rate), search keywords and calendar events — through the real ingest
path (pipeline → spool → loader → after-load steps)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from currency_converter import CurrencyConverter
from tests.attribution.journeys import World, visit, world

from touchline.connectors.events import record_event
from touchline.domain.money import convert, stored
from touchline.domain.records import RecordKind
from touchline.ingest.importer import import_events, load_if_idle
from touchline.ingest.protocol import EventType, RawEvent
from touchline.store import open_store
from touchline.store.base import EventStore, Sql

SYNC = "sync:meta"
AT = datetime(2026, 11, 2, 6, tzinfo=UTC)
ECB = CurrencyConverter()


@pytest.fixture
def w(tmp_path: Path) -> World:
    return world(tmp_path, currency="USD")


def insight(spend: str, *, day: str = "2026-11-01", currency: str = "EUR", **more: Any) -> RawEvent:
    data = {"platform": "meta", "level": "campaign", "entity_id": "c1", "day": day,
            "spend": spend, "currency": currency, "impressions": "1200", "clicks": "31",
            "reach": "900", "metrics": {"frequency": "1.33"}, **more}  # fmt: skip
    return record_event(provider="meta", kind=RecordKind.AD_INSIGHT, at=AT, data=data)


@pytest.fixture
def read(w: World) -> Iterator[Any]:
    def query(sql: str) -> list[tuple[Any, ...]]:
        store: EventStore = open_store(w.settings.resolved_event_store_url)
        try:
            return store.query(Sql(sql))
        finally:
            store.close()

    yield query


def test_an_insight_lands_with_spend_valued_at_the_report_days_rate(w: World, read: Any) -> None:
    w.send(insight("100.00", day="2026-10-29"), origin=SYNC)
    [(spend, currency, reporting, impressions, clicks, reach, campaign, metrics, day)] = read(
        "SELECT spend, currency, reporting_spend, impressions, clicks, reach, campaign_id,"
        " metrics, day FROM ad_insights"
    )
    rate = ECB.convert(1, "EUR", "USD", date(2026, 10, 29))
    assert (spend, currency) == (Decimal("100.0000"), "EUR")
    assert reporting == stored(convert(Decimal(100), rate))
    assert (impressions, clicks, reach, campaign) == (1200, 31, 900, "c1")
    assert '"frequency":"1.33"' in metrics
    assert day.astimezone(UTC) == datetime(2026, 10, 29, tzinfo=UTC)


def test_a_restated_day_replaces_the_stored_spend_and_a_resend_changes_nothing(
    w: World, read: Any
) -> None:
    w.send(insight("100.00", currency="USD"), origin=SYNC)
    w.send(insight("120.00", currency="USD"), origin=SYNC)
    report = import_events(settings=w.settings, profile=w.profile,
                           events=[insight("120.00", currency="USD")], origin=SYNC)  # fmt: skip
    assert report.imported == 1
    load_if_idle(w.settings)
    assert read("SELECT spend, reporting_spend FROM ad_insights") == [
        (Decimal("120.0000"), Decimal("120.0000"))
    ]


def test_days_and_levels_are_separate_rows(w: World, read: Any) -> None:
    w.send(insight("1", currency="USD"), insight("2", day="2026-11-02", currency="USD"),
           insight("3", currency="USD", level="ad", entity_id="a1", campaign_id="c1"),
           origin=SYNC)  # fmt: skip
    rows = read("SELECT level, entity_id, campaign_id, spend FROM ad_insights ORDER BY spend")
    assert rows == [("campaign", "c1", "c1", Decimal("1.0000")),
                    ("campaign", "c1", "c1", Decimal("2.0000")),
                    ("ad", "a1", "c1", Decimal("3.0000"))]  # fmt: skip


def test_a_currency_without_a_rate_leaves_the_reporting_spend_empty(w: World, read: Any) -> None:
    w.send(insight("5000", currency="ARS"), origin=SYNC)
    assert read("SELECT spend, reporting_spend FROM ad_insights") == [(Decimal("5000.0000"), None)]


def test_entities_keywords_and_calendar_events_land_in_their_tables(w: World, read: Any) -> None:
    entity = record_event(provider="meta", kind=RecordKind.AD_ENTITY, at=AT, data={
        "platform": "meta", "level": "ad", "entity_id": "a1", "name": "Video 1",
        "campaign_id": "c1", "ad_set_id": "s1", "status": "ACTIVE",
        "details": {"headline": "Smile"}})  # fmt: skip
    keyword = record_event(provider="gsc", kind=RecordKind.SEARCH_KEYWORD, at=AT, data={
        "site": "sc-domain:shop.example", "day": "2026-11-01", "query": "dentist cdmx",
        "page": "https://shop.example/", "country": "mex", "device": "MOBILE",
        "clicks": 4, "impressions": 120, "position": 3.2})  # fmt: skip
    meeting = record_event(provider="ghl", kind=RecordKind.CALENDAR_EVENT, at=AT, data={
        "provider": "ghl", "appointment_id": "ap1", "calendar_name": "Consults",
        "status": "confirmed", "assigned_user": "Dr. Ruiz", "contact_id": "ct1",
        "start_at": "2026-11-03T15:00:00Z", "end_at": "2026-11-03T15:30:00Z"})  # fmt: skip
    w.send(entity, keyword, meeting, origin=SYNC)
    assert read("SELECT entity_id, name, campaign_id, ad_set_id, status FROM ad_entities") == [
        ("a1", "Video 1", "c1", "s1", "ACTIVE")
    ]
    assert read("SELECT query, clicks, impressions, position FROM search_keywords") == [
        ("dentist cdmx", 4, 120, 3.2)
    ]
    [(status, user, start)] = read("SELECT status, assigned_user, start_at FROM calendar_events")
    assert (status, user) == ("confirmed", "Dr. Ruiz")
    assert start.astimezone(UTC) == datetime(2026, 11, 3, 15, tzinfo=UTC)


def test_a_malformed_record_is_skipped_and_the_rest_kept(
    w: World, read: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bad = insight("-5", currency="USD", entity_id="c2")
    w.send(bad, insight("5", currency="USD"), origin=SYNC)
    assert read("SELECT entity_id FROM ad_insights") == [("c1",)]
    assert "skipped a ad_insight record" in caplog.text


def test_a_browser_cannot_send_records(w: World, read: Any) -> None:
    forged = insight("999", currency="USD")
    report = import_events(settings=w.settings, profile=w.profile, events=[forged])
    assert report.imported == 0 and report.dropped == {"server_only_type": 1}
    w.send(visit("v1", AT))
    assert read("SELECT count(*) FROM ad_insights") == [(0,)]
    assert read(f"SELECT count(*) FROM events WHERE type = '{EventType.RECORD.value}'") == [(0,)]
