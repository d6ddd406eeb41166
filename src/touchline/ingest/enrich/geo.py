"""Client IP → country (ISO alpha-2), region and city from DB-IP City Lite (or MaxMind-style)
.mmdb files, falling back to `iptocc` (country only). The IP itself never reaches the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import iptocc
import maxminddb

from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.client_ip import event_ip, parse_address
from touchline.ingest.enrich.step import DropReason, Row
from touchline.ingest.protocol import RawEvent

CACHE_SIZE: Final = 16384
_REPO_ROOT: Final = Path(__file__).resolve().parents[4]


@dataclass(frozen=True, slots=True)
class Place:
    country: str = ""
    region: str = ""
    city: str = ""


NOWHERE: Final = Place()


@dataclass(frozen=True, slots=True)
class GeoFiles:
    """The databases to read: DB-IP ships one file per IP version, MaxMind one for both."""

    ipv4: Path | None = None
    ipv6: Path | None = None


def find_geoip_files(configured: Path | None, data_dir: Path) -> GeoFiles:
    """`Settings.geoip_path` (a file or a directory) when set; otherwise the first of
    DATA_DIR/geoip, ./vendor/geoip and the checkout's vendor/geoip that holds .mmdb files."""
    if configured is not None:
        return _files_in(configured)
    for folder in (data_dir / "geoip", Path("vendor/geoip"), _REPO_ROOT / "vendor" / "geoip"):
        files = _files_in(folder)
        if files.ipv4 or files.ipv6:
            return files
    return GeoFiles()


def _files_in(path: Path) -> GeoFiles:
    if path.is_file():
        return GeoFiles(ipv4=path, ipv6=path)
    if not path.is_dir():
        return GeoFiles()
    found = sorted(path.glob("*.mmdb"))
    ipv4 = next((f for f in found if "ipv4" in f.name), None)
    ipv6 = next((f for f in found if "ipv6" in f.name), None)
    if ipv4 is None and ipv6 is None and found:
        return GeoFiles(ipv4=found[0], ipv6=found[0])
    return GeoFiles(ipv4=ipv4, ipv6=ipv6)


def place_of(record: Mapping[str, Any]) -> Place:
    """Read DB-IP's flat schema (`country_code`, `state1`, `city`) or MaxMind's nested one."""
    if "country_code" in record:
        country = str(record.get("country_code") or "")
        return Place(
            country="" if country == "ZZ" else country.upper(),
            region=str(record.get("state1") or ""),
            city=str(record.get("city") or ""),
        )
    subdivisions = record.get("subdivisions") or [{}]
    return Place(
        country=str((record.get("country") or {}).get("iso_code") or ""),
        region=str(subdivisions[0].get("names", {}).get("en") or ""),
        city=str((record.get("city") or {}).get("names", {}).get("en") or ""),
    )


class GeoLocator:
    """Locates addresses (LRU cache); thread-safe. Without databases, country only (iptocc)."""

    def __init__(self, files: GeoFiles, cache_size: int = CACHE_SIZE) -> None:
        opened: dict[Path, maxminddb.Reader] = {}
        for path in (files.ipv4, files.ipv6):
            if path is not None and path not in opened:
                opened[path] = maxminddb.open_database(path)
        self._v4 = opened.get(files.ipv4) if files.ipv4 else None
        self._v6 = opened.get(files.ipv6) if files.ipv6 else None
        self._readers: Sequence[maxminddb.Reader] = tuple(opened.values())
        self.locate = lru_cache(maxsize=cache_size)(self._locate)

    @property
    def has_cities(self) -> bool:
        return bool(self._readers)

    def _locate(self, ip: str) -> Place:
        reader = self._v6 if ":" in ip else self._v4
        try:
            record = reader.get(ip) if reader is not None else None
        except ValueError:  # a port or brackets around it, an IPv6 address in an IPv4 file…
            record = None
        if isinstance(record, Mapping):
            place = place_of(record)
            if place.country:
                return place
        return self._locate_parsed(ip)

    def _locate_parsed(self, ip: str) -> Place:
        # The slow path, for what the databases do not hold as written: private and loopback
        # ranges (never in them), `::ffff:1.2.3.4`, `1.2.3.4:80`, addresses they lack.
        address = parse_address(ip)
        if address is None or not address.is_global:
            return NOWHERE
        canonical = str(address)
        if canonical != ip:
            return self._locate(canonical)
        return Place(country=iptocc.country_code(canonical) or "")

    def close(self) -> None:
        for reader in self._readers:
            reader.close()

    def __call__(self, event: RawEvent, ctx: RequestContext, row: Row) -> DropReason | None:
        place = self.locate(event_ip(event, ctx))
        row["country"] = place.country
        row["region"] = place.region
        row["city"] = place.city
        return None
