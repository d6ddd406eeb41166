"""Meta from a recorded Marketing API to the spend report: a sync through the connectors
service (paged edges, a rate limit, an expired token, a reconnect that resumes the cursor)
into a real data directory, then campaign spend per day in the profile's currency, a
restated day, reach, entity details and ROAS = attributed cash / spend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
    in_reporting,
    record_of,
    rows,
    sync,
)
from tests.connectors.fixture_server import Answer, FixtureServer, recorded

from touchline.analytics.attribution import Level, ratio
from touchline.analytics.campaigns import attribution_by
from touchline.analytics.query import Period
from touchline.analytics.spend import spend_by_day
from touchline.connectors.base import HttpOptions
from touchline.control.db import Database
from touchline.control.repos.connections import Health
from touchline.domain.attribution.settings import Model

BASE = "/v21.0/act_1234567890"
C1, C2 = "120210000000000001", "120210000000000002"
S1, A1, A2 = "120210000000000011", "120210000000000101", "120210000000000102"
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
NOW = at("2026-10-07T12:00:00")
# The account's spend (EUR) per campaign and day, once Meta restated 6 October for C1.
SPEND = {
    C1: {
        day("2026-10-05"): Decimal("100.00"),
        day("2026-10-06"): Decimal("130.00"),
        day("2026-10-07"): Decimal("80.25"),
    },
    C2: {day("2026-10-05"): Decimal("40.00"), day("2026-10-06"): Decimal("35.10")},
}


def fixture(name: str, status: int = 200, **headers: str) -> Answer:
    return recorded(f"meta/{name}.json", status, **headers)


RATE_LIMITED = fixture(
    "error_rate_limit",
    400,
    **{
        "X-Business-Use-Case-Usage": orjson.dumps(
            {
                "1234567890": [
                    {
                        "type": "ads_management",
                        "call_count": 100,
                        "total_cputime": 12,
                        "total_time": 40,
                        "estimated_time_to_regain_access": 1,
                    }
                ]
            }
        ).decode()
    },
)


def route_entities(api: FixtureServer, *, rate_limited: bool = False) -> None:
    first = (RATE_LIMITED,) if rate_limited else ()
    api.route("GET", BASE, fixture("account"))
    api.route(
        "GET", f"{BASE}/campaigns", *first, fixture("campaigns_page1"), fixture("campaigns_page2")
    )
    api.route("GET", f"{BASE}/adsets", fixture("adsets"))
    api.route("GET", f"{BASE}/ads", fixture("ads"))


def insight_requests(api: FixtureServer) -> list[dict[str, list[str]]]:
    return [r.query for r in api.requests if r.path.endswith("/insights")]


def test_a_sync_survives_a_rate_limit_stops_at_an_expired_token_and_resumes_after_reconnect(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    values = {
        "access_token": "EAAB-old",
        "account_id": "act_1234567890",
        "api_base": provider_api.url,
    }
    connection_id = connect(w, database, "meta", values)
    route_entities(provider_api, rate_limited=True)
    provider_api.route(
        "GET",
        f"{BASE}/insights",
        fixture("insights_campaign_page1"),
        fixture("insights_campaign_page2"),
        fixture("insights_adset"),
        fixture("insights_ad_page1"),
        fixture("error_token_expired", 400),
    )
    waits = Waits()
    first = sync(w, database, connection_id, waits.options(NOW), since=day("2026-10-05"))

    assert (first.health, waits.seconds) == (Health.AUTH_EXPIRED, [60.0])
    assert first.error is not None and "Meta error 190" in first.error
    assert first.pages == 8  # campaigns 2, ad sets, ads, campaign insights 2, ad sets, ads 1 (of 2)
    cursors = record_of(database, connection_id).cursors
    assert orjson.loads(cursors["insights_campaign"]) == {"through": "2026-10-07"}
    assert orjson.loads(cursors["insights_ad"]) == {
        "start": "2026-10-05",
        "end": "2026-10-07",
        "position": "QVFIUad2ZD",
    }
    assert rows(w, "SELECT count(*) FROM ad_insights WHERE level = 'ad'") == [(5,)]
    token_headers = {r.headers["authorization"] for r in provider_api.requests}
    assert token_headers == {"Bearer EAAB-old"}
    assert not any("access_token" in r.query for r in provider_api.requests)

    connect(w, database, "meta", {"access_token": "EAAB-new"}, connection_id=connection_id)
    provider_api.requests.clear()
    route_entities(provider_api)
    provider_api.route(
        "GET",
        f"{BASE}/insights",
        fixture("insights_campaign_restated"),
        fixture("insights_adset_restated"),
        fixture("insights_ad_page2"),
    )
    second = sync(w, database, connection_id, Waits().options(NOW))

    assert second.health is Health.OK
    campaign_ask, _, ad_ask = insight_requests(provider_api)
    assert orjson.loads(campaign_ask["time_range"][0]) == {  # 7 days back for restatements
        "since": "2026-09-30",
        "until": "2026-10-07",
    }
    assert ad_ask["after"] == ["QVFIUad2ZD"] and ad_ask["level"] == ["ad"]
    assert {r.headers["authorization"] for r in provider_api.requests} == {"Bearer EAAB-new"}
    assert rows(w, "SELECT count(*) FROM ad_insights WHERE level = 'ad'") == [(7,)]
    _spend_is_reported_in_dollars(w)


def _spend_is_reported_in_dollars(w: World) -> None:
    """Campaign rows give the totals; a restated day replaced the old spend."""
    with event_store(w) as store:
        by_day = spend_by_day(store, profile_id=w.profile.profile_id, period=OCTOBER)
        campaigns = {
            row.key: row
            for row in attribution_by(
                store,
                profile_id=w.profile.profile_id,
                period=OCTOBER,
                model=Model.LAST_TOUCH,
                level=Level.CAMPAIGN,
            )
        }
    assert by_day == {
        d: in_reporting([(d, SPEND[c][d]) for c in (C1, C2) if d in SPEND[c]], "EUR", "USD")
        for d in sorted(SPEND[C1])
    }
    six = day("2026-10-06")  # 130.00 + 35.10, not the 120.50 first reported on top
    assert by_day[six] == in_reporting(
        [(six, Decimal("130.00")), (six, Decimal("35.10"))], "EUR", "USD"
    )
    spring = campaigns[C1]
    assert spring.spend == _campaign_spend(C1)
    assert (spring.name, spring.entity.objective) == ("Spring Sale", "OUTCOME_SALES")
    assert spring.entity.daily_budget == Decimal("150.00")  # 15000 cents
    assert campaigns[C2].entity.status == "PAUSED"
    assert campaigns[C2].spend == _campaign_spend(C2)


def _campaign_spend(campaign: str) -> Decimal:
    """A campaign's period spend: each day valued at its own day's rate."""
    return in_reporting(SPEND[campaign].items(), "EUR", "USD")


def test_roas_is_attributed_cash_over_spend_and_each_level_reads_its_own_rows(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    values = {"access_token": "EAAB", "account_id": "1234567890", "api_base": provider_api.url}
    connection_id = connect(w, database, "meta", values)
    route_entities(provider_api)
    provider_api.route(
        "GET",
        f"{BASE}/insights",
        fixture("insights_campaign_restated"),
        fixture("insights_adset_restated"),
        fixture("insights_ad_page1"),
        fixture("insights_ad_page2"),
    )
    report = sync(
        w,
        database,
        connection_id,
        HttpOptions(sleep=lambda _: None, clock=NOW.timestamp),
        since=day("2026-10-05"),
    )
    assert (report.health, report.pages) == (Health.OK, 8)

    ad_click = f"https://clinic.example/offer?utm_source=facebook&utm_medium=paid&utm_campaign={C1}"
    ad_click_pays(w, visitor="v1", url=ad_click, clicked=at("2026-10-06T09:00:00"),
                  email="ana@example.com", amount=500.0, ref="pi_1")  # fmt: skip
    with event_store(w) as store:
        by_campaign = attributed(store, w, OCTOBER, Level.CAMPAIGN)
        by_ad_set = attributed(store, w, OCTOBER, Level.AD_SET)
        by_ad = attributed(store, w, OCTOBER, Level.AD)

    spring = by_campaign[C1]
    assert spring.revenue == Decimal("500.00")
    assert spring.spend == _campaign_spend(C1)
    assert spring.roas == ratio(Decimal("500.00"), spring.spend)
    assert 1.0 < (spring.roas or 0) < 2.0  # €310.25 ≈ $360 of spend for $500 of cash
    assert by_campaign[C2].roas == 0.0
    # The ad set's rows are Meta's own (one ad set per campaign here: the same money) …
    assert by_ad_set[S1].spend == spring.spend
    # … and the ad rows still hold the 6 October Meta gave before restating it.
    first_report = [
        (day("2026-10-05"), Decimal("60.00")),
        (day("2026-10-06"), Decimal("70.50")),
        (day("2026-10-07"), Decimal("80.25")),
    ]
    assert by_ad[A1].spend == in_reporting(first_report, "EUR", "USD")
    assert by_ad[A2].spend == in_reporting(
        [(day("2026-10-05"), Decimal("40.00")), (day("2026-10-06"), Decimal("50.00"))], "EUR", "USD"
    )
    # Reach is Meta's per campaign and day; a period's sum of it is only an upper bound.
    daily_reach = rows(
        w, f"SELECT sum(reach) FROM ad_insights WHERE level = 'campaign' AND entity_id = '{C1}'"
    )
    assert spring.delivery.reach == daily_reach[0][0] == 3011 + 3911 + 2418
