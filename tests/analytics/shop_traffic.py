"""A small shop's March through the real ingest path on either engine: enrichment pipeline →
event store → the loader's after-load steps (sessions, identities, conversions, touches,
credits, ad records). Every expected number in the traffic report tests is counted by hand
from `SHOP` below.

Visits (UTC profile):
- ana   Mar 10 10:00 `/` from a Meta ad (campaign `spring`), 10:01 `/pricing`, 30 s engaged,
        identifies as ana@example.com → Paid Social, 2 pageviews, not bounced
- ben   Mar 10 12:00 `/blog/ñandú` from google.com → Organic Search, bounced
- ben   Mar 11 09:00 `/pricing`, no referrer → Direct, bounced
- cara  Mar 11 15:00 `/` from an ad of campaign `O'Brien; DROP TABLE events;--`, then a
        `lead_created` → Paid Social, 1 pageview, not bounced (it interacted)
- dan   Feb 20 10:00 `/` → Direct (the previous period of Mar 1-25)
Money: ana pays 100 on Mar 12 (refunded 20 on Mar 13); a stranger pays 50 on Mar 12.
Spend: Meta campaign c1 `spring` 40 on Mar 10; Google Ads campaign g1 10 on Mar 11.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from tests.store.engines import ENGINES, discard, event_table, open_test_store

from touchline.connectors.events import record_event
from touchline.control.db import Database
from touchline.control.repos import profiles, workspaces
from touchline.domain.records import RecordKind
from touchline.ingest.context import ProfileContext, RequestContext
from touchline.ingest.pipeline import build_pipeline
from touchline.ingest.protocol import RawEvent
from touchline.processing.after_load import after_load_steps
from touchline.settings import Settings
from touchline.store.base import EventStore

GEOIP = Path(__file__).resolve().parents[2] / "vendor" / "geoip"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
SITE = "https://shop.example"
SPRING_AD = f"{SITE}/?utm_source=facebook&utm_medium=paid&utm_campaign=spring"
SQLISH = "O'Brien; DROP TABLE events;--"
SQLISH_AD = (
    f"{SITE}/?utm_source=facebook&utm_medium=paid&utm_campaign=O%27Brien%3B+DROP+TABLE+events%3B--"
)
_ids = itertools.count(1)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def browser(
    visitor: str, when: datetime, type_: str = "page_view", **fields: Any
) -> dict[str, Any]:
    return {"event_id": f"web-{next(_ids)}", "type": type_, "anonymous_id": visitor,
            "timestamp": int(when.timestamp() * 1000), "url": f"{SITE}/",
            "ip": "81.2.69.142", "user_agent": CHROME} | fields  # fmt: skip


def server(name: str, when: datetime, amount: float, **fields: Any) -> dict[str, Any]:
    return {"event_id": f"pay-{next(_ids)}", "type": "track", "name": name,
            "anonymous_id": "server", "timestamp": int(when.timestamp() * 1000),
            "revenue": {"amount": amount, "currency": "USD"}} | fields  # fmt: skip


def visits() -> list[dict[str, Any]]:
    return [
        browser("ana", at(3, 10, 10), url=SPRING_AD),
        browser("ana", at(3, 10, 10, 1), url=f"{SITE}/pricing"),
        browser("ana", at(3, 10, 10, 1), "engagement", name="heartbeat",
                payload={"engaged_ms": 30_000}),
        browser("ana", at(3, 10, 10, 2), "identify", identity={"email": "ana@example.com"}),
        browser("ben", at(3, 10, 12), url=f"{SITE}/blog/ñandú",
                referrer="https://www.google.com/"),
        browser("ben", at(3, 11, 9), url=f"{SITE}/pricing"),
        browser("cara", at(3, 11, 15), url=SQLISH_AD),
        browser("cara", at(3, 11, 15, 1), "track", name="lead_created"),
        browser("dan", at(2, 20, 10)),
    ]  # fmt: skip


def payments() -> list[dict[str, Any]]:
    return [
        server("payment_received", at(3, 12, 9), 100, identity={"email": "ana@example.com"},
               payload={"provider_ref": "pi_ana"}),
        server("payment_received", at(3, 12, 11), 50, identity={"email": "zed@example.com"},
               payload={"provider_ref": "pi_zed"}),
        server("payment_refunded", at(3, 13, 9), 20, identity={"email": "ana@example.com"},
               payload={"provider_ref": "re_ana", "refund_of": "pi_ana"}),
    ]  # fmt: skip


def ad_records() -> list[RawEvent]:
    records = [
        (RecordKind.AD_ENTITY, {"platform": "meta", "level": "campaign", "entity_id": "c1",
                                "name": "spring", "campaign_id": "c1"}),
        (RecordKind.AD_INSIGHT, {"platform": "meta", "level": "campaign", "entity_id": "c1",
                                 "day": "2026-03-10", "spend": "40", "currency": "USD"}),
        (RecordKind.AD_INSIGHT, {"platform": "google_ads", "level": "campaign",
                                 "entity_id": "g1", "day": "2026-03-11", "spend": "10",
                                 "currency": "USD"}),
    ]  # fmt: skip
    return [record_event(provider="test", kind=kind, at=at(3, 14, 0), data=data)
            for kind, data in records]  # fmt: skip


@dataclass(frozen=True)
class Shop:
    store: EventStore
    profile_id: str


def load(store: EventStore, data_dir: Path) -> str:
    """Feed SHOP through the pipeline and the after-load steps; returns the profile id."""
    settings = Settings(data_dir=data_dir, database_url="", event_store_url="", geoip_path=GEOIP)
    settings.ensure_data_dir()
    database = Database.open(settings)
    database.migrate()
    with database.transaction() as session:
        workspace = workspaces.create(session, name="W", actor="test")
        profile = profiles.create(
            session, workspace_id=workspace.id, name="Shop", actor="test",
            domains=["shop.example"],
        ).context()  # fmt: skip
    pipeline = build_pipeline(settings)
    steps = after_load_steps(database, {profile.profile_id: profile})
    try:
        batches: list[tuple[list[Any], str]] = [
            (visits(), "import"), (payments(), "webhook:test"), (ad_records(), "sync:test"),
        ]  # fmt: skip
        for events, origin in batches:
            raw = [e if isinstance(e, RawEvent) else _raw(e) for e in events]
            _feed(store, pipeline.run(raw, _context(profile, origin)).rows, steps)
    finally:
        pipeline.close()
        database.close()
    return profile.profile_id


def _raw(event: dict[str, Any]) -> RawEvent:
    return msgspec.json.decode(orjson.dumps(event), type=RawEvent)


def _context(profile: ProfileContext, origin: str) -> RequestContext:
    now_us = int(datetime(2026, 3, 31, tzinfo=UTC).timestamp() * 1_000_000)
    return RequestContext(profile, "", "", now_us, origin=origin, live=False)


def _feed(store: EventStore, rows: list[dict[str, Any]], steps: Any) -> None:
    table = event_table(rows)
    store.append("events", table)
    steps(store, table)


@pytest.fixture(scope="module", params=ENGINES)
def shop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Shop]:
    data_dir = tmp_path_factory.mktemp(f"shop-{request.param}")
    store = open_test_store(str(request.param), data_dir)
    try:
        yield Shop(store, load(store, data_dir))
    finally:
        discard(store)


DAY: timedelta = timedelta(days=1)
