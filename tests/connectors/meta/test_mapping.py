"""Meta objects → entities and insights, over the recorded payloads: string numbers, budgets in
minor units by Meta's currency offsets, link clicks, video metrics and Meta's conversions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import orjson
import pytest
from tests.connectors.fixture_server import FIXTURES

from touchline.connectors.meta import mapping
from touchline.domain.records import AdLevel

META = FIXTURES / "meta"
ACCOUNT = "act_1234567890"


def data(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = orjson.loads((META / f"{name}.json").read_bytes())["data"]
    return rows


def test_an_ad_level_insight_keeps_numbers_exact_and_meta_metrics_aside() -> None:
    row = data("insights_ad_page1")[0]
    found = mapping.insight(row, level=AdLevel.AD, account_id=ACCOUNT, currency="USD")
    assert (found.entity_id, found.campaign_id, found.ad_set_id) == (
        "120210000000000101",
        "120210000000000001",
        "120210000000000011",
    )
    assert (found.day, found.spend, found.currency) == (date(2026, 10, 5), Decimal("60.00"), "EUR")
    assert (found.impressions, found.clicks, found.reach) == (2467, 37, 1809)
    assert found.metrics == {
        "frequency": "1.363737",
        "clicks_all": "57",
        "link_clicks": "37",
        "video_plays": "412",
        "video_p25": "300",
        "video_p100": "61",
        "video_thruplays": "88",
        "conversions": {
            "landing_page_view": "36",
            "lead": "3",
            "link_click": "37",
            "offsite_conversion.fb_pixel_lead": "3",
            "purchase": "1",
            "video_view": "210",
        },
    }


def test_campaign_rows_have_no_ad_set_and_the_account_is_named_act() -> None:
    row = data("insights_campaign_page1")[0]
    found = mapping.insight(row, level=AdLevel.CAMPAIGN, account_id="", currency="USD")
    assert (found.entity_id, found.campaign_id, found.ad_set_id, found.account_id) == (
        "120210000000000001",
        "120210000000000001",
        "",
        ACCOUNT,
    )


@pytest.mark.parametrize(
    ("row", "level"),
    [
        ({"campaign_id": "1", "adset_id": "2", "ad_id": "3"}, AdLevel.AD),
        ({"campaign_id": "1", "adset_id": "2"}, AdLevel.AD_SET),
        ({"campaign_id": "1"}, AdLevel.CAMPAIGN),
    ],
)
def test_a_rows_level_is_the_finest_it_names(row: dict[str, str], level: AdLevel) -> None:
    assert mapping.level_of(row) is level


def test_a_row_over_several_days_is_not_a_daily_insight() -> None:
    row = {"campaign_id": "1", "spend": "5", "date_start": "2026-10-01", "date_stop": "2026-10-07"}
    with pytest.raises(ValueError, match="not one day"):
        mapping.insight(row, level=AdLevel.CAMPAIGN, account_id=ACCOUNT, currency="USD")


@pytest.mark.parametrize(
    ("minor", "currency", "amount"),
    [
        ("15000", "EUR", "150"),
        ("4000", "usd", "40"),
        ("5000", "JPY", "5000"),
        ("125000", "COP", "125000"),
        ("199", "MXN", "1.99"),
        ("0", "USD", None),
        (None, "USD", None),
    ],
)
def test_budgets_are_in_minor_units_by_metas_currency_offset(
    minor: str | None, currency: str, amount: str | None
) -> None:
    found = mapping.major_units(minor, currency)
    assert (Decimal(found) if found else None) == (Decimal(amount) if amount else None)


def test_campaign_and_ad_set_details() -> None:
    [spring] = data("campaigns_page1")
    campaign = mapping.campaign(spring, account_id=ACCOUNT, currency="EUR")
    assert (campaign.name, campaign.status, campaign.campaign_id) == (
        "Spring Sale",
        "ACTIVE",
        "120210000000000001",
    )
    assert campaign.details["objective"] == "OUTCOME_SALES"
    assert Decimal(campaign.details["daily_budget"]) == Decimal("150")
    assert "lifetime_budget" not in campaign.details
    lookalike, visitors = data("adsets")
    ad_set = mapping.ad_set(lookalike, account_id=ACCOUNT, currency="EUR")
    assert ad_set.details["targeting"] == {
        "age_min": 25,
        "age_max": 54,
        "countries": ["ES", "PT"],
        "publisher_platforms": ["facebook", "instagram"],
    }
    assert (
        mapping.ad_set(visitors, account_id=ACCOUNT, currency="EUR").details["effective_status"]
        == "CAMPAIGN_PAUSED"
    )


def test_an_ads_creative_comes_from_the_creative_or_its_story_spec() -> None:
    video, carousel, story = (mapping.ad(o, account_id=ACCOUNT) for o in data("ads"))
    assert video.details == {
        "effective_status": "ACTIVE",
        "creative_id": "120210000000001001",
        "thumbnail_url": "https://scontent.xx.fbcdn.net/v/t15.5256-10/p64x64/1.jpg?stp=dst-jpg&_nc_cat=1",
        "video_id": "987654321098765",
        "headline": "Your new smile in 3 visits",
        "body": "Book a free consultation this week.",
    }
    assert (carousel.details["headline"], carousel.details["body"]) == (
        "Before and after",
        "See real results from our patients.",
    )
    assert (story.details["video_id"], story.details["headline"]) == (
        "987654321098766",
        "What Ana says",
    )
    assert (story.campaign_id, story.ad_set_id, story.status) == (
        "120210000000000002",
        "120210000000000012",
        "PAUSED",
    )


def test_actions_drop_metas_duplicate_roll_ups_and_stay_under_the_payload_key_limit() -> None:
    many = [{"action_type": f"offsite_conversion.custom.{i:03}", "value": "1"} for i in range(80)]
    found = mapping.actions([{"action_type": "omni_purchase", "value": "2"}, *many])
    assert "omni_purchase" not in found
    assert len(found) == mapping.MAX_ACTION_TYPES
