"""Google Ads from a recorded API to the spend report: a sync through the connectors service
(a token minted from the refresh token, a stream of two batches, RESOURCE_EXHAUSTED with its
retry delay, an expired token, a revoked refresh token, a reconnect) into a real data
directory, then campaign spend per day in the profile's currency, a restated day, and ROAS."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

import orjson
from tests.attribution.journeys import World
from tests.connectors.ads import (
    Waits,
    ad_click_pays,
    at,
    attributed,
    connect,
    day,
    event_store,
    import_file,
    in_reporting,
    record_of,
    rows,
    sync,
)
from tests.connectors.fixture_server import FIXTURES, Answer, FixtureServer, recorded

from touchline.analytics.attribution import Level, ratio
from touchline.analytics.query import Period
from touchline.analytics.spend import spend_by_day
from touchline.control.db import Database
from touchline.control.repos.connections import Health

STREAM = "/v18/customers/1234567890/googleAds:searchStream"
G1, G2 = "20000000001", "20000000002"
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
NOW = at("2026-10-06T20:00:00")
FIVE, SIX = day("2026-10-05"), day("2026-10-06")


def fixture(name: str, status: int = 200) -> Answer:
    return recorded(f"google_ads/{name}.json", status)


ENTITIES = (fixture("customer"), fixture("campaigns"), fixture("ad_groups"), fixture("ads"))


def queries(api: FixtureServer) -> list[str]:
    return [orjson.loads(r.body)["query"] for r in api.requests if r.path == STREAM]


def test_a_sync_retries_quota_stops_at_bad_tokens_and_resumes_after_reconnect(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    values = {
        "customer_id": "123-456-7890",
        "login_customer_id": "987-654-3210",
        "developer_token": "dev-tok",
        "refresh_token": "1//refresh-old",
        "client_id": "client.apps.googleusercontent.com",
        "client_secret": "cs",
        "api_base": provider_api.url,
    }
    connection_id = connect(w, database, "google_ads", values)
    provider_api.route("POST", "/token", fixture("token"))
    provider_api.route(
        "POST",
        STREAM,
        *ENTITIES,
        fixture("error_resource_exhausted", 429),
        fixture("metrics_campaign"),
        fixture("metrics_ad_group"),
        fixture("error_unauthenticated", 401),
    )
    waits = Waits()
    first = sync(w, database, connection_id, waits.options(NOW), since=FIVE)

    assert (first.health, waits.seconds) == (Health.AUTH_EXPIRED, [30.0])
    assert first.error is not None and "UNAUTHENTICATED" in first.error
    streamed = [r for r in provider_api.requests if r.path == STREAM]
    assert {
        (r.headers["authorization"], r.headers["developer-token"], r.headers["login-customer-id"])
        for r in streamed
    } == {("Bearer ya29.a0AfB_recorded-access-token", "dev-tok", "9876543210")}
    assert "segments.date BETWEEN '2026-10-05' AND '2026-10-06'" in queries(provider_api)[-1]
    cursors = record_of(database, connection_id).cursors
    assert sorted(cursors) == ["insights_ad_group", "insights_campaign"]
    assert rows(w, "SELECT level, count(*) FROM ad_insights GROUP BY level ORDER BY level") == [
        ("ad_set", 3),
        ("campaign", 4),
    ]

    provider_api.route("POST", "/token", recorded("google_ads/token_invalid_grant.json", 400))
    revoked = sync(w, database, connection_id, Waits().options(NOW))
    assert revoked.health is Health.AUTH_EXPIRED
    assert revoked.error is not None and "expired or revoked" in revoked.error

    connect(
        w, database, "google_ads", {"refresh_token": "1//refresh-new"}, connection_id=connection_id
    )
    provider_api.requests.clear()
    provider_api.route("POST", "/token", fixture("token"))
    provider_api.route(
        "POST",
        STREAM,
        *ENTITIES,
        fixture("metrics_campaign_restated"),
        fixture("metrics_ad_group"),
        fixture("metrics_ad"),
    )
    third = sync(w, database, connection_id, Waits().options(NOW))

    assert third.health is Health.OK
    [token_call] = [r for r in provider_api.requests if r.path == "/token"]
    assert parse_qs(token_call.body.decode())["refresh_token"] == ["1//refresh-new"]
    campaign_query, _, *ad_queries = queries(provider_api)[4:]
    assert "BETWEEN '2026-09-29' AND '2026-10-06'" in campaign_query  # 7 days back
    # the ad level never finished a window: it reads the first run's 90 days, 31 at a time
    assert [q[q.index("BETWEEN") :] for q in ad_queries] == [
        "BETWEEN '2026-07-08' AND '2026-08-07'",
        "BETWEEN '2026-08-08' AND '2026-09-07'",
        "BETWEEN '2026-09-08' AND '2026-10-06'",
    ]
    _spend_and_roas_are_in_dollars(w)


def _spend_and_roas_are_in_dollars(w: World) -> None:
    ad_click = (
        "https://clinic.example/?utm_source=google&utm_medium=cpc&utm_campaign=Brand+-+Search"
    )
    ad_click_pays(w, visitor="v9", url=ad_click + "&gclid=Cj0KCQ",
                  clicked=at("2026-10-06T10:00:00"), email="leo@example.com", amount=250.0,
                  ref="pi_g")  # fmt: skip
    with event_store(w) as store:
        by_day = spend_by_day(store, profile_id=w.profile.profile_id, period=OCTOBER)
        campaigns = attributed(store, w, OCTOBER, Level.CAMPAIGN)
    assert by_day == {
        FIVE: in_reporting([(FIVE, Decimal("45.12")), (FIVE, Decimal("20.50"))], "EUR", "USD"),
        SIX: in_reporting([(SIX, Decimal("55.00")), (SIX, Decimal(0))], "EUR", "USD"),
    }
    brand = campaigns[G1]
    assert brand.spend == in_reporting(
        [(FIVE, Decimal("45.12")), (SIX, Decimal("55.00"))], "EUR", "USD"
    )
    assert (brand.name, brand.revenue) == ("Brand - Search", Decimal("250.00"))
    assert brand.roas == ratio(Decimal("250.00"), brand.spend)
    assert brand.entity.daily_budget == Decimal("30.00")
    assert (campaigns[G2].entity.status, campaigns[G2].delivery.impressions) == ("PAUSED", 5710)


def test_a_report_export_imports_once_and_a_corrected_export_replaces_its_days(
    w: World, database: Database, tmp_path: Path
) -> None:
    report = FIXTURES / "google_ads" / "campaign_report.csv"
    import_file(w, database, "google-ads", report)
    stored = "SELECT entity_id, day, spend, impressions, version FROM ad_insights ORDER BY ALL"
    before = rows(w, stored)
    assert [(e, d.date(), s, i) for e, d, s, i, _ in before] == [
        (G1, FIVE, Decimal("45.1200"), 1200),
        (G1, SIX, Decimal("50.0000"), 1310),
        (G2, FIVE, Decimal("20.5000"), 5400),
        (G2, SIX, Decimal("0.0000"), 310),
    ]
    import_file(w, database, "google-ads", report)
    assert rows(w, stored) == before

    corrected = tmp_path / "corrected.csv"
    corrected.write_text(report.read_text().replace('50.00,"1,310"', '55.00,"1,310"'))
    import_file(w, database, "google-ads", corrected)
    with event_store(w) as store:
        by_day = spend_by_day(store, profile_id=w.profile.profile_id, period=OCTOBER)
    assert by_day[SIX] == in_reporting([(SIX, Decimal("55.00"))], "EUR", "USD")
    assert rows(w, "SELECT name FROM ad_entities ORDER BY name") == [
        ("Brand - Search",),
        ("PMax - Clinics",),
    ]
