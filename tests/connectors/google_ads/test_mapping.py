"""Google Ads rows → entities and insights over the recorded streams: micros, int64 strings,
metrics proto3 leaves out, responsive search ads named by their first headline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import orjson
import pytest
from tests.connectors.fixture_server import FIXTURES

from touchline.connectors.google_ads import mapping
from touchline.domain.records import AdLevel

GOOGLE = FIXTURES / "google_ads"


def results(name: str) -> list[dict[str, Any]]:
    batches = orjson.loads((GOOGLE / f"{name}.json").read_bytes())
    return [row for batch in batches for row in batch["results"]]


def test_campaigns_keep_type_bidding_and_the_daily_budget_from_micros() -> None:
    brand, pmax = (mapping.campaign(r, account_id="1234567890") for r in results("campaigns"))
    assert (brand.entity_id, brand.name, brand.status, brand.campaign_id) == (
        "20000000001",
        "Brand - Search",
        "ENABLED",
        "20000000001",
    )
    assert brand.details == {
        "channel_type": "SEARCH",
        "bidding_strategy_type": "MAXIMIZE_CONVERSIONS",
        "daily_budget": "30",
    }
    assert Decimal(pmax.details["daily_budget"]) == Decimal("12.5")


def test_ad_groups_are_ad_sets_of_their_campaign() -> None:
    exact = mapping.ad_group(results("ad_groups")[0], account_id="1234567890")
    assert (exact.level, exact.entity_id, exact.campaign_id, exact.ad_set_id, exact.name) == (
        AdLevel.AD_SET,
        "150000000001",
        "20000000001",
        "150000000001",
        "Brand - exact",
    )


def test_a_responsive_search_ad_is_named_by_its_first_headline_unless_named() -> None:
    unnamed, named = (mapping.ad(r, account_id="1234567890") for r in results("ads"))
    assert (unnamed.name, named.name) == ("Clínica Dental Sonrisa", "Brand EN")
    assert unnamed.details["headlines"] == [
        "Clínica Dental Sonrisa",
        "Implants from €990",
        "Book online today",
    ]
    assert unnamed.details["final_urls"] == ["https://clinic.example/"]
    assert (named.ad_set_id, named.status) == ("150000000002", "PAUSED")


@pytest.mark.parametrize(
    ("source", "index", "level", "expected"),
    [
        (
            "metrics_campaign",
            0,
            AdLevel.CAMPAIGN,
            (
                "20000000001",
                "",
                date(2026, 10, 5),
                Decimal("45.12"),
                1200,
                88,
                {"conversions": "3.0"},
            ),
        ),
        (
            "metrics_campaign",
            3,
            AdLevel.CAMPAIGN,
            ("20000000002", "", date(2026, 10, 6), Decimal(0), 310, 0, {}),
        ),
        (
            "metrics_ad",
            1,
            AdLevel.AD,
            (
                "700000000002",
                "150000000002",
                date(2026, 10, 5),
                Decimal("15"),
                400,
                28,
                {"conversions": "1.0"},
            ),
        ),
    ],
)
def test_daily_metrics(source: str, index: int, level: AdLevel, expected: tuple[Any, ...]) -> None:
    row = results(source)[index]
    found = mapping.insight(row, level=level, account_id="1234567890", currency="EUR")
    assert (
        found.entity_id,
        found.ad_set_id,
        found.day,
        found.spend,
        found.impressions,
        found.clicks,
        dict(found.metrics),
    ) == expected
    assert (found.currency, found.reach, found.campaign_id[:2]) == ("EUR", 0, "20")


def test_a_metrics_row_without_its_id_is_refused() -> None:
    with pytest.raises(ValueError, match="without its id"):
        mapping.insight(
            {"segments": {"date": "2026-10-05"}, "metrics": {}},
            level=AdLevel.AD,
            account_id="1",
            currency="EUR",
        )
