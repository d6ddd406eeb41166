"""`/campaigns` and `/campaigns/trend` over a March fed through the real ingest path
(tests/api/shop.py): attributed cash, every-type outcomes, spend, delivery, internal ids."""

from __future__ import annotations

import pytest
from tests.api.conftest import Api
from tests.api.shop import feed, get, other_profile

from touchline.domain.ad_entities import internal_id
from touchline.domain.keys import Scope

PERIOD = {"date_from": "2026-03-10", "date_to": "2026-03-13"}


@pytest.fixture
def fed(api: Api) -> Api:
    feed(api)
    return api


def cid(api: Api, key: str, level: str = "campaign") -> str:
    return internal_id(profile_id=api.served.profile_id, level=level, key=key)


def test_campaigns_rank_by_attributed_cash_with_every_type_counted_and_utm_only_rows(
    fed: Api,
) -> None:
    body = get(fed, "/campaigns", **PERIOD)
    assert body["meta"] == {**PERIOD, "profile_id": fed.served.profile_id}
    # Spring Sale: Ana's 300 less her 100 refund (last touch = her ad visit); her payment and
    # her lead are 2 outcomes. Spend 100 + 50. The newsletter (UTMs only) has Ben's 50; the
    # paused Retargeting spent 30 for nothing. Eva's gclid-only visit names no campaign.
    assert body["data"] == [
        {"campaign_id": cid(fed, "c1"), "campaign_name": "Spring Sale", "spend": 150.0,
         "outcome_count": 2.0, "outcome_value": 200.0, "roas": 1.33},
        {"campaign_id": cid(fed, "newsletter-march"), "campaign_name": "newsletter-march",
         "spend": 0.0, "outcome_count": 1.0, "outcome_value": 50.0, "roas": None},
        {"campaign_id": cid(fed, "c2"), "campaign_name": "Retargeting", "spend": 30.0,
         "outcome_count": 0.0, "outcome_value": 0.0, "roas": 0.0},
    ]  # fmt: skip
    assert [r["campaign_name"] for r in get(fed, "/campaigns", limit="1", **PERIOD)["data"]] == [
        "Spring Sale"
    ]


def test_level_adds_delivery_and_platform_fields(fed: Api) -> None:
    [spring, newsletter, paused] = get(fed, "/campaigns", level="campaign", **PERIOD)["data"]
    # CTR 250 / 15,000 = 1.67 %; CPM 150 / 15 = 10; CPC 150 / 250 = 0.60; CAC 150 / 2 = 75;
    # reach is the largest day's (8,000), never 8,000 + 4,500.
    assert spring == {
        "campaign_id": cid(fed, "c1"), "campaign_name": "Spring Sale", "spend": 150.0,
        "outcome_count": 2.0, "outcome_value": 200.0, "roas": 1.33, "entity_level": "campaign",
        "parent_name": None, "impressions": 15000, "clicks": 250, "reach": 8000, "ctr": 1.67,
        "avg_cpm": 10.0, "avg_cpc": 0.6, "cac": 75.0, "status": "ACTIVE",
        "objective": "OUTCOME_SALES", "daily_budget": 50.0,
    }  # fmt: skip
    assert (newsletter["status"], newsletter["impressions"], newsletter["cac"]) == (None, 0, 0.0)
    assert (paused["status"], paused["cac"], paused["ctr"]) == ("PAUSED", None, 1.0)


def test_ad_sets_and_ads_carry_their_parent_and_their_own_ids(fed: Api) -> None:
    [broad] = get(fed, "/campaigns", level="ad_set", **PERIOD)["data"]
    [video] = get(fed, "/campaigns", level="ad", **PERIOD)["data"]
    assert (broad["campaign_id"], broad["campaign_name"], broad["parent_name"]) == (
        cid(fed, "s1", "ad_set"), "Broad", "Spring Sale",
    )  # fmt: skip
    assert (video["campaign_id"], video["parent_name"], video["entity_level"]) == (
        cid(fed, "a1", "ad"), "Broad", "ad",
    )  # fmt: skip
    assert (video["spend"], video["outcome_value"], video["outcome_count"]) == (150.0, 200.0, 2.0)


def test_the_model_moves_money_between_campaigns(fed: Api) -> None:
    # Ana has one touch: every model gives Spring Sale the same; unknown models are refused.
    linear = get(fed, "/campaigns", model="linear", **PERIOD)["data"]
    assert linear[0]["outcome_value"] == 200.0
    bad = fed.served.client.get(
        "/api/v1/campaigns", params={**PERIOD, "model": "magic"}, headers=fed.key()
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_parameter"
    assert "model" in bad.json()["error"]["message"]


def test_trend_gives_daily_delivery_of_the_entities_asked_for(fed: Api) -> None:
    ids = ",".join([cid(fed, "c2"), cid(fed, "c1"), cid(fed, "newsletter-march")])
    body = get(fed, "/campaigns/trend", entity_ids=ids, **PERIOD)
    assert body["data"] == [
        {"entity_id": cid(fed, "c2"), "date": "2026-03-11", "spend": 30.0, "impressions": 3000,
         "clicks": 30},
        {"entity_id": cid(fed, "c1"), "date": "2026-03-10", "spend": 100.0,
         "impressions": 10000, "clicks": 200},
        {"entity_id": cid(fed, "c1"), "date": "2026-03-11", "spend": 50.0, "impressions": 5000,
         "clicks": 50},
    ]  # fmt: skip
    one_day = get(fed, "/campaigns/trend", entity_ids=cid(fed, "a1", "ad"), level="ad",
                  date_from="2026-03-11", date_to="2026-03-11")  # fmt: skip
    assert [(r["date"], r["spend"]) for r in one_day["data"]] == [("2026-03-11", 50.0)]
    # An ad's id at the campaign level, and the spec's placeholder ids, find nothing.
    assert get(fed, "/campaigns/trend", entity_ids=cid(fed, "a1", "ad"), **PERIOD)["data"] == []
    assert get(fed, "/campaigns/trend", entity_ids="uuid1,uuid2", **PERIOD)["data"] == []


def test_another_profiles_key_never_sees_these_campaigns_or_their_trend(fed: Api) -> None:
    _, theirs = other_profile(fed)
    ids = ",".join(cid(fed, key) for key in ("c1", "c2"))
    assert get(fed, "/campaigns/trend", theirs, entity_ids=ids, **PERIOD)["data"] == []
    assert get(fed, "/campaigns", theirs, **PERIOD)["data"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"entity_ids": ""}, "entity_ids"),
        ({"entity_ids": ",".join(f"id{n}" for n in range(11))}, "entity_ids"),
        ({"entity_ids": "x", "level": "channel"}, "level"),
    ],
)
def test_trend_parameters_are_checked(api: Api, query: dict[str, str], parameter: str) -> None:
    answer = api.served.client.get(
        "/api/v1/campaigns/trend", params={**PERIOD, **query}, headers=api.key()
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_parameter" and parameter in error["message"]


def test_campaigns_need_their_scope_and_a_valid_period(api: Api) -> None:
    client = api.served.client
    analytics_only = api.key(Scope.ANALYTICS_READ)
    refused = client.get("/api/v1/campaigns", params=PERIOD, headers=analytics_only)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    for period in ({"date_from": "2026-03-13", "date_to": "2026-03-10"},
                   {"date_from": "2025-01-01", "date_to": "2026-03-10"}, {}):  # fmt: skip
        answer = client.get("/api/v1/campaigns", params=period, headers=api.key())
        assert answer.json()["error"]["code"] == "invalid_date_range"
    limit = client.get("/api/v1/campaigns", params={**PERIOD, "limit": "101"}, headers=api.key())
    assert limit.json()["error"]["code"] == "invalid_parameter"
