"""`touchline import google-ads`: report exports with title and total rows, UTF-16 "Excel"
files, ad-group reports rolled up to campaigns, names without ids."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from tests.connectors.fixture_server import FIXTURES

from touchline.connectors.google_ads.importers import import_report
from touchline.errors import InvalidPayload
from touchline.ingest.protocol import RawEvent

GOOGLE = FIXTURES / "google_ads"


def records(content: bytes, currency: str = "USD") -> list[RawEvent]:
    return list(import_report(io.BytesIO(content), default_currency=currency))


def insights(events: list[RawEvent]) -> list[dict[str, object]]:
    return [e.payload or {} for e in events if e.name == "ad_insight"]


def test_a_campaign_report_skips_titles_and_totals_and_keeps_conversions() -> None:
    found = insights(records((GOOGLE / "campaign_report.csv").read_bytes()))
    assert [
        (r["entity_id"], r["day"], r["spend"], r["impressions"], r["clicks"]) for r in found
    ] == [
        ("20000000001", "2026-10-05", "45.12", 1200, 88),
        ("20000000001", "2026-10-06", "50.00", 1310, 95),
        ("20000000002", "2026-10-05", "20.50", 5400, 40),
        ("20000000002", "2026-10-06", "0.00", 310, 0),
    ]
    assert {r["currency"] for r in found} == {"EUR"}
    assert found[1]["metrics"] == {"conversions": "4.50"}


def test_a_utf16_ad_group_report_without_ids_rolls_up_to_named_campaigns() -> None:
    events = records((GOOGLE / "ad_group_report_utf16.csv").read_bytes())
    found = insights(events)
    campaigns = [r for r in found if r["level"] == "campaign"]
    assert [(r["day"], Decimal(str(r["spend"])), r["impressions"]) for r in campaigns] == [
        ("2026-10-05", Decimal("45.12"), 1200),
        ("2026-10-06", Decimal("50.00"), 1310),
    ]
    entities = {
        (e.payload or {})["name"]: (e.payload or {}) for e in events if e.name == "ad_entity"
    }
    assert set(entities) == {"Brand - Search", "Brand - exact", "Brand - phrase"}
    assert entities["Brand - exact"]["campaign_id"] == entities["Brand - Search"]["entity_id"]


def test_the_profiles_currency_is_used_when_the_report_has_none() -> None:
    content = b"Campaign,Day,Cost,Impr.,Clicks\nBrand,2026-10-05,12.00,10,1\n"
    [row] = insights(records(content, currency="mxn"))
    assert (row["currency"], row["level"]) == ("MXN", "campaign")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Campaign,Day,Cost\nBrand,yesterday,1.00\n", "line 2: 'yesterday' is not a day"),
        (b"Campaign,Day,Cost\nBrand,2026-10-05,lots\n", "line 2: 'lots' is not a number"),
        (b"Campaign,Cost\nBrand,1.00\n", "no header row"),
    ],
)
def test_a_bad_line_refuses_the_file_naming_it(content: bytes, message: str) -> None:
    with pytest.raises(InvalidPayload, match=message):
        records(content)
