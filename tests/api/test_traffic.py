"""The traffic endpoints over a live app, with the shop's March (tests/analytics/shop_traffic.py)
imported into its spool and loaded by its own loader: shapes, hand-counted numbers, filters,
the previous period, scopes and parameter errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from tests.analytics.shop_traffic import ad_records, payments, visits
from tests.api.conftest import Api
from tests.serving import serving

from touchline.control.repos import profiles
from touchline.domain.keys import Scope
from touchline.ingest.importer import import_events
from touchline.ingest.protocol import RawEvent

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def _raw(events: list[Any]) -> list[RawEvent]:
    return [
        e if isinstance(e, RawEvent) else msgspec.json.decode(orjson.dumps(e), type=RawEvent)
        for e in events
    ]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("api-shop") / "data", sync_scheduler=False) as served:
        with served.runtime.database.transaction() as session:
            profile = profiles.get(session, served.profile_id).context()
        settings = served.runtime.settings
        for events, origin in ((visits(), "import"), (payments(), "webhook:test"),
                               (ad_records(), "sync:test")):  # fmt: skip
            import_events(settings=settings, profile=profile, events=_raw(events), origin=origin)
            served.runtime.loader.drain()
        yield Api(served)


def get(
    api: Api, path: str, query: Mapping[str, Any] | None = None, key: dict[str, str] | None = None
) -> Any:
    answer = api.served.client.get(f"/api/v1/{path}", params=query, headers=key or api.key())
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_overview_of_march_and_its_previous_period(shop: Api) -> None:
    body = get(shop, "overview", MARCH)
    assert body["meta"] == {**MARCH, "profile_id": shop.served.profile_id}
    assert body["data"]["current"] == {
        "spend": 50.0, "revenue": 80.0, "roas": 1.6, "outcomes": 3, "attributed_outcomes": 2,
        "coverage_percent": 66.67, "visitors": 3, "pageviews": 5, "bounce_rate": 50.0,
        "avg_engaged_seconds": 7.5, "cash_revenue": 130.0, "cash_payments": 2,
    }  # fmt: skip
    assert body["data"]["previous_period"] == {"date_from": "2026-01-29", "date_to": "2026-02-28"}


def test_the_spec_example_mar_1_25_compares_with_feb_4_28(shop: Api) -> None:
    data = get(shop, "overview", {"date_from": "2026-03-01", "date_to": "2026-03-25"})["data"]
    assert data["previous_period"] == {"date_from": "2026-02-04", "date_to": "2026-02-28"}
    previous = data["previous"]
    assert (previous["visitors"], previous["pageviews"], previous["bounce_rate"]) == (1, 1, 100.0)
    assert (previous["spend"], previous["roas"], previous["coverage_percent"]) == (0.0, None, 0.0)


def test_a_channel_filter_narrows_visits_money_and_spend(shop: Api) -> None:
    current = get(shop, "overview", MARCH | {"filter[channel]": "is:Paid Social"})["data"][
        "current"
    ]
    assert current == {
        "spend": 40.0, "revenue": 80.0, "roas": 2.0, "outcomes": 2, "attributed_outcomes": 2,
        "coverage_percent": 100.0, "visitors": 2, "pageviews": 3, "bounce_rate": 0.0,
        "avg_engaged_seconds": 15.0, "cash_revenue": 80.0, "cash_payments": 1,
    }  # fmt: skip


def test_filters_written_in_a_url_with_plus_or_percent_20(shop: Api) -> None:
    key = shop.key()
    for query in ("filter[channel]=is:Paid+Social", "filter[channel]=is:Paid%20Social"):
        answer = shop.served.client.get(
            "/api/v1/overview?date_from=2026-03-01&date_to=2026-03-31&" + query, headers=key
        )
        assert answer.json()["data"]["current"]["visitors"] == 2
    lower = get(shop, "overview", MARCH | {"filter[channel]": "is:paid social"})
    assert lower["data"]["current"]["visitors"] == 0  # channel names are case-sensitive


def test_timeseries_per_day(shop: Api) -> None:
    body = get(shop, "timeseries", {"date_from": "2026-03-10", "date_to": "2026-03-13"})
    assert body["data"] == [
        {"date": "2026-03-10", "visitors": 2, "pageviews": 3, "bounces": 1,
         "cash_revenue": 0.0, "spend": 40.0},
        {"date": "2026-03-11", "visitors": 2, "pageviews": 2, "bounces": 1,
         "cash_revenue": 0.0, "spend": 10.0},
        {"date": "2026-03-12", "visitors": 0, "pageviews": 0, "bounces": 0,
         "cash_revenue": 150.0, "spend": 0.0},
        {"date": "2026-03-13", "visitors": 0, "pageviews": 0, "bounces": 0,
         "cash_revenue": -20.0, "spend": 0.0},
    ]  # fmt: skip
    filtered = get(shop, "timeseries", {"date_from": "2026-03-10", "date_to": "2026-03-11",
                                        "filter[page]": "contains:PRICING"})  # fmt: skip
    assert [(d["visitors"], d["pageviews"], d["bounces"]) for d in filtered["data"]] == [
        (1, 2, 0),
        (1, 1, 1),
    ]


def test_channels_ranked_by_visitors(shop: Api) -> None:
    assert get(shop, "channels", MARCH)["data"] == [
        {"value": "Paid Social", "visitors": 2, "visits": 2, "pageviews": 3, "bounce_rate": 0.0,
         "conversions": 2.0, "conversion_rate": 100.0, "revenue": 80.0},
        {"value": "Direct", "visitors": 1, "visits": 1, "pageviews": 1, "bounce_rate": 100.0,
         "conversions": 0.0, "conversion_rate": 0.0, "revenue": 0.0},
        {"value": "Organic Search", "visitors": 1, "visits": 1, "pageviews": 1,
         "bounce_rate": 100.0, "conversions": 0.0, "conversion_rate": 0.0, "revenue": 0.0},
    ]  # fmt: skip
    assert [r["value"] for r in get(shop, "channels", MARCH | {"limit": 1})["data"]] == [
        "Paid Social"
    ]


def test_every_breakdown_endpoint_answers_its_dimension(shop: Api) -> None:
    firsts = {
        "pages": ("/", 2, 2), "countries": ("GB", 3, 4), "devices": ("desktop", 3, 4),
        "browsers": ("Chrome", 3, 4), "os": ("Windows", 3, 4), "referrers": ("(none)", 3, 3),
    }  # fmt: skip
    for path, (value, visitors, count) in firsts.items():
        first = get(shop, path, MARCH)["data"][0]
        assert (first["value"], first["visitors"], first["visits"]) == (value, visitors, count)
    pages = get(shop, "pages", MARCH | {"filter[channel]": "is:Direct"})["data"]
    assert [(p["value"], p["pageviews"], p["bounce_rate"]) for p in pages] == [
        ("/pricing", 1, 100.0)
    ]


def test_breakdowns_by_several_dimensions_have_sessions(shop: Api) -> None:
    data = get(shop, "breakdowns", MARCH | {"dimensions": "channel,goal,campaign"})["data"]
    assert list(data) == ["channel", "goal", "campaign"]
    assert data["channel"][0] == {
        "value": "Paid Social", "visitors": 2, "visits": 2, "sessions": 2, "pageviews": 3,
        "bounce_rate": 0.0, "conversions": 2.0, "conversion_rate": 100.0, "revenue": 80.0,
    }  # fmt: skip
    assert [(g["value"], g["visits"], g["revenue"]) for g in data["goal"]] == [
        ("payment_received", 1, 80.0),
        ("lead_created", 1, 0.0),
    ]
    assert "O'Brien; DROP TABLE events;--" in [c["value"] for c in data["campaign"]]


def test_sql_ish_and_unicode_filter_values_are_only_values(shop: Api) -> None:
    sqlish = get(shop, "overview", MARCH | {"filter[campaign]": "contains:o'brien; DROP"})
    assert sqlish["data"]["current"]["visitors"] == 1
    unicode = get(shop, "pages", MARCH | {"filter[page]": "contains:ÑANDÚ"})["data"]
    assert [p["value"] for p in unicode] == ["/blog/ñandú"]
    quote = get(shop, "channels", MARCH | {"filter[referrer]": "is:'; SELECT 1;--"})["data"]
    assert quote == []


def test_bad_parameters_are_the_specs_errors(shop: Api) -> None:
    client, key = shop.served.client, shop.key()
    cases = [
        ("overview?date_from=2026-03-01", "invalid_date_range"),
        ("overview?date_from=2025-01-01&date_to=2026-03-01", "invalid_date_range"),
        ("overview?date_from=2026-03-01&date_to=2026-03-02&model=best", "invalid_parameter"),
        ("channels?date_from=2026-03-01&date_to=2026-03-02&limit=101", "invalid_parameter"),
        ("pages?date_from=2026-03-01&date_to=2026-03-02&filter[colour]=is:x", "invalid_parameter"),
        ("breakdowns?date_from=2026-03-01&date_to=2026-03-02&dimensions=x", "invalid_parameter"),
        ("breakdowns?date_from=2026-03-01&date_to=2026-03-02", "invalid_parameter"),
    ]
    for path, code in cases:
        answer = client.get(f"/api/v1/{path}", headers=key)
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, code), path


def test_scopes_analytics_and_realtime(shop: Api) -> None:
    client = shop.served.client
    realtime_only = shop.key(Scope.REALTIME_READ)
    refused = client.get("/api/v1/overview", params=MARCH, headers=realtime_only)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    analytics_only = shop.key(Scope.ANALYTICS_READ)
    assert client.get("/api/v1/realtime", headers=analytics_only).status_code == 403


def test_realtime_counts_browsers_seen_in_the_last_five_minutes(tmp_path: Path) -> None:
    with serving(tmp_path / "data", sync_scheduler=False) as served:
        api = Api(served)
        now = datetime.now(UTC)
        events = [
            {"event_id": f"rt-{n}", "type": "page_view", "anonymous_id": visitor,
             "timestamp": int((now - ago).timestamp() * 1000), "url": "https://shop.example/"}
            for n, (visitor, ago) in enumerate([("new", timedelta(seconds=5)),
                                                ("new", timedelta(minutes=1)),
                                                ("old", timedelta(minutes=10))])
        ]  # fmt: skip
        body = orjson.dumps({"tracking_key": served.tracking_key, "events": events})
        assert served.client.post("/api/tracking/collect", content=body).status_code == 202
        served.runtime.loader.drain()
        answer = get(api, "realtime", key=api.key(Scope.REALTIME_READ))
        assert answer == {"data": {"visitors_online": 1}, "meta": {"profile_id": served.profile_id}}
