"""Search Console from a recorded API to the keywords table: a sync through the connectors
service paged by startRow (3 rows a page here, 25,000 in production), a quota answer, an
expired token that leaves the cursor inside the chunk, the resumed run, and file imports."""

from __future__ import annotations

import functools
import io
from dataclasses import replace

import orjson
import pytest
from tests.attribution.journeys import World
from tests.connectors.ads import (
    Waits,
    at,
    connect,
    day,
    import_file,
    record_of,
    rows,
    sync,
)
from tests.connectors.fixture_server import FIXTURES, Answer, FixtureServer, recorded

from touchline.connectors import registry
from touchline.connectors.base import ConnectorSpec
from touchline.connectors.gsc import SPEC
from touchline.connectors.gsc.importers import import_keywords
from touchline.connectors.gsc.sync import sync as gsc_sync
from touchline.control.db import Database
from touchline.control.repos.connections import Health

QUERY = "/webmasters/v3/sites/sc-domain%3Aclinic.example/searchAnalytics/query"
NOW = at("2026-10-07T20:00:00")  # 13:00 in California: Search Console's 7 October


def fixture(name: str, status: int = 200) -> Answer:
    return recorded(f"gsc/{name}.json", status)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real Search Console connector, paging 3 rows at a time."""
    paged = replace(SPEC, sync=functools.partial(gsc_sync, row_limit=3))
    real = registry.spec

    def spec(provider: str) -> ConnectorSpec:
        return paged if provider == "gsc" else real(provider)

    monkeypatch.setattr(registry, "spec", spec)


def asked(api: FixtureServer) -> list[dict[str, object]]:
    return [orjson.loads(r.body) for r in api.requests if r.path == QUERY]


def test_a_sync_pages_by_start_row_waits_out_a_quota_and_resumes_inside_the_chunk(
    w: World, database: Database, provider_api: FixtureServer, small_pages: None
) -> None:
    values = {
        "site_url": "sc-domain:clinic.example",
        "access_token": "ya29.gsc",
        "api_base": provider_api.url,
    }
    connection_id = connect(w, database, "gsc", values)
    provider_api.route("POST", QUERY, fixture("query_page1"), fixture("error_unauthenticated", 401))
    failed = sync(w, database, connection_id, Waits().options(NOW), since=day("2026-10-01"))
    assert failed.health is Health.AUTH_EXPIRED
    assert orjson.loads(record_of(database, connection_id).cursors["keywords"]) == {
        "start": "2026-10-01",
        "end": "2026-10-07",
        "position": "3",
    }
    assert rows(w, "SELECT count(*) FROM search_keywords") == [(3,)]

    provider_api.requests.clear()
    provider_api.route("POST", QUERY, fixture("error_quota", 429), fixture("query_page2"))
    waits = Waits()
    resumed = sync(w, database, connection_id, waits.options(NOW))
    assert (resumed.health, waits.seconds) == (Health.OK, [1.0])
    body = asked(provider_api)[-1]
    assert body == {
        "startDate": "2026-10-01",
        "endDate": "2026-10-07",
        "dimensions": ["date", "query", "page", "country", "device"],
        "type": "web",
        "dataState": "final",
        "rowLimit": 3,
        "startRow": 3,
    }
    assert {r.headers["authorization"] for r in provider_api.requests} == {"Bearer ya29.gsc"}
    assert orjson.loads(record_of(database, connection_id).cursors["keywords"]) == {
        "through": "2026-10-07"
    }
    stored = rows(
        w,
        "SELECT site, day, query, page, country, device, clicks, impressions,"
        " position FROM search_keywords ORDER BY day, query",
    )
    assert [
        (s, d.date().isoformat(), q, c, dev, cl, im, p) for s, d, q, _, c, dev, cl, im, p in stored
    ] == [
        (
            "sc-domain:clinic.example",
            "2026-10-01",
            "dental implants price",
            "esp",
            "DESKTOP",
            3,
            95,
            7.8,
        ),
        (
            "sc-domain:clinic.example",
            "2026-10-01",
            "dentist near me",
            "esp",
            "MOBILE",
            12,
            340,
            4.2647,
        ),
        ("sc-domain:clinic.example", "2026-10-02", "clinica sonrisa", "mex", "TABLET", 1, 4, 1.0),
        ("sc-domain:clinic.example", "2026-10-02", "dentist near me", "esp", "MOBILE", 9, 301, 4.5),
    ]


def test_a_later_run_rereads_the_days_search_console_finalizes_late(
    w: World, database: Database, provider_api: FixtureServer
) -> None:
    values = {
        "site_url": "sc-domain:clinic.example",
        "access_token": "t",
        "api_base": provider_api.url,
    }
    connection_id = connect(w, database, "gsc", values)
    provider_api.route("POST", QUERY, fixture("query_page1"))
    assert (
        sync(w, database, connection_id, Waits().options(NOW), since=day("2026-10-05")).health
        is Health.OK
    )
    provider_api.requests.clear()
    sync(w, database, connection_id, Waits().options(NOW))
    assert [(b["startDate"], b["endDate"]) for b in asked(provider_api)] == [
        ("2026-10-02", "2026-10-07")
    ]
    assert rows(w, "SELECT count(*) FROM search_keywords") == [(3,)]  # the same rows: no-ops


def test_a_csv_export_imports_once_under_the_files_site(w: World, database: Database) -> None:
    path = FIXTURES / "gsc" / "export.csv"
    import_file(w, database, "gsc", path)
    query = (
        "SELECT site, query, clicks, impressions, device, version FROM search_keywords ORDER BY ALL"
    )
    before = rows(w, query)
    import_file(w, database, "gsc", path)
    assert rows(w, query) == before
    assert [(s, q, c, i, d) for s, q, c, i, d, _ in before] == [
        ("", "dentist near me", 7, 280, "MOBILE"),
        ("", "dentist near me, open sunday", 1002, 12340, "MOBILE"),
        ("", "invisalign", 0, 44, "DESKTOP"),
    ]


def test_the_api_json_without_dimensions_is_read_by_the_keys_shapes() -> None:
    content = (FIXTURES / "gsc" / "export_query_date.json").read_bytes()
    events = list(import_keywords(io.BytesIO(content), default_currency="USD"))
    assert [((e.payload or {})["query"], (e.payload or {})["day"]) for e in events] == [
        ("dentist near me", "2026-10-03"),
        ("invisalign", "2026-10-03"),
    ]
