"""`touchline import meta-insights`: the Marketing API's JSON and Ads Manager CSV exports give
entities and daily insights at every level (rolled up from the file's finest rows), imported
through the connectors service into a real data directory; a re-import changes nothing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from tests.attribution.journeys import World
from tests.connectors.ads import ECB, day, import_file, rows
from tests.connectors.fixture_server import FIXTURES

from touchline.connectors.meta.importers import import_insights
from touchline.control.db import Database
from touchline.domain.money import convert
from touchline.errors import InvalidPayload
from touchline.ingest.protocol import RawEvent

META = FIXTURES / "meta"
C1, S1, A1 = "120210000000000001", "120210000000000011", "120210000000000101"


def records(content: bytes, currency: str = "USD") -> list[RawEvent]:
    return list(import_insights(io.BytesIO(content), default_currency=currency))


def payloads(events: list[RawEvent], name: str) -> list[dict[str, object]]:
    return [e.payload or {} for e in events if e.name == name]


def test_the_api_json_gives_ads_and_their_rolled_up_ad_sets_and_campaigns() -> None:
    events = records((META / "insights_export.json").read_bytes())
    insights = payloads(events, "ad_insight")
    by_level: dict[str, Decimal] = {}
    for row in insights:
        by_level[str(row["level"])] = by_level.get(str(row["level"]), Decimal(0)) + Decimal(
            str(row["spend"])
        )
    # every level carries the same money: analytics reads one level at a time
    assert by_level == {
        "ad": Decimal("375.85"),
        "ad_set": Decimal("375.85"),
        "campaign": Decimal("375.85"),
    }
    [campaign_day] = [
        r
        for r in insights
        if r["level"] == "campaign" and r["entity_id"] == C1 and r["day"] == "2026-10-05"
    ]
    assert (campaign_day["spend"], campaign_day["currency"]) == ("100.00", "EUR")
    assert campaign_day["metrics"] == {"rolled_up_from": "ad_set"}
    [ad_day] = [r for r in insights if r["entity_id"] == A1 and r["day"] == "2026-10-05"]
    assert (ad_day["account_id"], ad_day["ad_set_id"], ad_day["clicks"]) == (
        "act_1234567890",
        S1,
        37,
    )
    names = {(e["level"], e["name"]) for e in payloads(events, "ad_entity")}
    assert ("campaign", "Spring Sale") in names and ("ad", "Video - smile") in names
    assert len(names) == 7


def test_reimporting_the_same_file_is_a_no_op(w: World, database: Database) -> None:
    path = META / "insights_export.json"
    import_file(w, database, "meta-insights", path)
    before = rows(w, "SELECT level, entity_id, day, spend, version FROM ad_insights ORDER BY ALL")
    import_file(w, database, "meta-insights", path)
    assert (
        rows(w, "SELECT level, entity_id, day, spend, version FROM ad_insights ORDER BY ALL")
        == before
    )
    assert len(before) == 7 + 5 + 5
    assert rows(w, "SELECT count(*) FROM ad_entities") == [(7,)]


def test_a_restated_day_in_a_later_file_replaces_the_stored_one(
    w: World, database: Database, tmp_path: Path
) -> None:
    import_file(w, database, "meta-insights", META / "insights_export.json")
    restated = orjson.loads((META / "insights_export.json").read_bytes())
    for row in restated["data"]:
        if row["ad_id"] == A1 and row["date_start"] == "2026-10-06":
            row["spend"] = "79.90"
    path = tmp_path / "restated.json"
    path.write_bytes(orjson.dumps(restated))
    import_file(w, database, "meta-insights", path)
    six = day("2026-10-06")
    assert rows(
        w,
        f"SELECT level, spend, reporting_spend FROM ad_insights WHERE day = '{six}'"
        f" AND campaign_id = '{C1}' ORDER BY level, spend DESC",
    ) == [
        ("ad", Decimal("79.9000"), _usd("79.90", six)),
        ("ad", Decimal("50.0000"), _usd("50.00", six)),
        ("ad_set", Decimal("129.9000"), _usd("129.90", six)),
        ("campaign", Decimal("129.9000"), _usd("129.90", six)),
    ]


def _usd(eur: str, on: date) -> Decimal:
    """The row's reporting spend: 4 places, not yet rounded to cents."""
    return convert(Decimal(eur), ECB.convert(1, "EUR", "USD", on))


def test_an_ads_manager_csv_with_ids_keeps_them_and_reads_the_currency_from_the_header(
    w: World, database: Database
) -> None:
    import_file(w, database, "meta-insights", META / "ads_manager_ads.csv")
    assert rows(
        w,
        "SELECT level, count(*), sum(spend), min(currency) FROM ad_insights"
        " GROUP BY level ORDER BY level",
    ) == [
        ("ad", 5, Decimal("260.5000"), "EUR"),
        ("ad_set", 3, Decimal("260.5000"), "EUR"),
        ("campaign", 3, Decimal("260.5000"), "EUR"),
    ]
    [(clicks, metrics)] = rows(
        w,
        f"SELECT clicks, metrics FROM ad_insights WHERE level = 'ad'"
        f" AND entity_id = '{A1}' AND day = '2026-10-05'",
    )
    assert clicks == 37  # link clicks, not all clicks
    assert orjson.loads(metrics) == {
        "frequency": "1.372080",
        "clicks_all": "57",
        "link_clicks": "37",
        "conversions": {"offsite_conversion.fb_pixel_lead": "3"},
    }
    assert ("120210000000000012", "Site visitors 30d") in rows(
        w, "SELECT entity_id, name FROM ad_entities WHERE level = 'ad_set'"
    )


def test_a_campaign_csv_without_ids_names_campaigns_by_a_stable_id() -> None:
    content = (META / "ads_manager_campaigns_no_ids.csv").read_bytes()
    events = records(content)
    assert records(content) == events  # same file, same ids
    insights = payloads(events, "ad_insight")
    assert {r["level"] for r in insights} == {"campaign"}
    spring = [r for r in insights if r["day"] == "2026-10-05" and r["impressions"] == 52010]
    assert [(r["spend"], r["currency"], r["reach"], r["clicks"]) for r in spring] == [
        ("1234.50", "USD", 30002, 1204)
    ]
    entities = {e["name"]: e["entity_id"] for e in payloads(events, "ad_entity")}
    assert set(entities) == {"Spring Sale", "Retargeting"}
    assert all(str(i).startswith("name-") for i in entities.values())
    assert {r["entity_id"] for r in insights if r["impressions"] in (52010, 4100)} == {
        entities["Spring Sale"]
    }


def test_rows_spanning_several_days_are_refused_with_the_fix() -> None:
    with pytest.raises(InvalidPayload, match=r"line 2: .*By time → Day"):
        records((META / "ads_manager_period.csv").read_bytes())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"error": {"code": 190}}', "expected the insights response"),
        (b'{"data": [{"spend": "1", "date_start": "2026-10-01"}]}', "data row 1"),
        (
            b'{"data": [{"ad_id": "3", "campaign_id": "1", "date_start": "2026-10-01"}]}',
            "an ad row of 2026-10-01 has no ad_set id",
        ),
        (b"Campaign name,Day\nX,2026-10-01\n", "Amount spent"),
        (b"hello,world\n1,2\n", "no header row"),
    ],
)
def test_files_that_are_not_insights_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(InvalidPayload, match=message):
        records(content)


def test_an_empty_answer_imports_nothing() -> None:
    assert records(b'{"data": [], "paging": {}}') == []
