"""A demo-like profile for the API's cross-cutting tests (fuzzing, the spec's examples, the
client): traffic from five channels, identified customers, payments in two currencies, a lead,
ad entities with daily spend and search keywords — all fed through the real ingest path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from tests.attribution.journeys import World, payment, visit, world

from touchline.connectors.events import record_event, server_event
from touchline.control.db import Database
from touchline.control.repos import api_keys
from touchline.domain.keys import Scope
from touchline.domain.records import RecordKind
from touchline.ingest.protocol import Identity, RawEvent

MARCH_1: Final = date(2026, 3, 1)
DAYS: Final = 25  # the spec's examples ask for 2026-03-01..2026-03-25
SYNC: Final = datetime(2026, 3, 26, 6, tzinfo=UTC)
AD = "utm_source=facebook&utm_medium=paid&utm_campaign=c1&utm_term=s1&utm_content=a1&fbclid=fb"
LANDINGS: Final[tuple[tuple[str, str], ...]] = (
    (f"https://shop.example/?{AD}", ""),  # Paid Social, resolved to ad a1 by id
    ("https://shop.example/blog/attribution", "https://www.google.com/"),  # Organic Search
    ("https://shop.example/", ""),  # Direct
    ("https://shop.example/pricing?utm_source=newsletter&utm_medium=email", ""),  # Email
    ("https://shop.example/pricing", "https://partner.example/review"),  # Referral
)


def build(tmp_path: Path) -> World:
    """The profile's data, loaded (the server is not running yet)."""
    w = world(tmp_path, timezone="America/Mexico_City")
    w.send(*traffic())
    w.send(*payments(), origin="webhook:test")
    w.send(*ad_records(), *keywords(), origin="sync:meta")
    return w


def traffic() -> Iterator[RawEvent]:
    for day in range(DAYS):
        for slot, (url, referrer) in enumerate(LANDINGS):
            anon = f"v{day}-{slot}"
            at = _at(day, 15 + slot)
            yield visit(anon, at, url=url, referrer=referrer)
            if (day + slot) % 3 == 0:  # two pages: not a bounce
                yield visit(anon, at + timedelta(minutes=2), url="https://shop.example/checkout")
            if slot in (0, 1) and day % 2 == 0:
                name = f"Customer {day}-{slot}"
                yield visit(anon, at + timedelta(minutes=3), type="identify",
                            identity=Identity(email=_email(day, slot), name=name))  # fmt: skip


def payments() -> Iterator[RawEvent]:
    for day in range(0, DAYS, 2):
        yield payment(_at(day, 18), 100 + day, ref=f"pi_{day}", email=_email(day, 0))
        yield payment(_at(day, 19), 900, ref=f"mp_{day}", email=_email(day, 1), currency="MXN")
    yield server_event(provider="ghl", key=("lead", 1), name="lead_created", at=_at(4, 20),
                       identity=Identity(email=_email(4, 0)))  # fmt: skip


def ad_records() -> Iterator[RawEvent]:
    entities: list[dict[str, Any]] = [
        {"level": "campaign", "entity_id": "c1", "name": "Spring Sale - Conversions"},
        {"level": "ad_set", "entity_id": "s1", "name": "Broad", "campaign_id": "c1"},
        {"level": "ad", "entity_id": "a1", "name": "Video", "campaign_id": "c1",
         "ad_set_id": "s1"},
    ]  # fmt: skip
    for entity in entities:
        data = {"platform": "meta", "status": "ACTIVE", "account_id": "act_1", **entity}
        yield record_event(provider="meta", kind=RecordKind.AD_ENTITY, at=SYNC, data=data)
    for day in range(DAYS):
        for level, ids in (("campaign", {}), ("ad_set", {"campaign_id": "c1"}),
                           ("ad", {"campaign_id": "c1", "ad_set_id": "s1"})):  # fmt: skip
            entity_id = {"campaign": "c1", "ad_set": "s1", "ad": "a1"}[level]
            data = {"platform": "meta", "level": level, "entity_id": entity_id,
                    "account_id": "act_1", "day": (MARCH_1 + timedelta(days=day)).isoformat(),
                    "spend": "40.00", "currency": "USD", "impressions": "5000", "clicks": "120",
                    "reach": "3000", **ids}  # fmt: skip
            yield record_event(provider="meta", kind=RecordKind.AD_INSIGHT, at=SYNC, data=data)


def keywords() -> Iterator[RawEvent]:
    for day in range(DAYS):
        for query, clicks in (("marketing attribution tool", 7), ("roas calculator", 4)):
            data = {"site": "sc-domain:shop.example", "query": query, "page": "/",
                    "country": "usa", "device": "DESKTOP", "clicks": clicks,
                    "impressions": 100, "position": 4.2,
                    "day": (MARCH_1 + timedelta(days=day)).isoformat()}  # fmt: skip
            yield record_event(provider="gsc", kind=RecordKind.SEARCH_KEYWORD, at=SYNC, data=data)


def every_scope_key(w: World, *, rate_limit: int = 1_000_000) -> str:
    """A key of the profile holding every scope there is (new scopes included)."""
    database = Database.open(w.settings)
    try:
        with database.transaction() as session:
            issued = api_keys.create(
                session, profile_id=w.profile.profile_id, name="every scope", actor="test",
                scopes=[s.value for s in Scope], rate_limit_per_minute=rate_limit,
            )  # fmt: skip
    finally:
        database.close()
    return issued.plaintext


def _at(day: int, hour: int) -> datetime:
    start = datetime(MARCH_1.year, MARCH_1.month, MARCH_1.day, tzinfo=UTC)
    return start + timedelta(days=day, hours=hour)


def _email(day: int, slot: int) -> str:
    return f"customer{day}-{slot}@example.com"
