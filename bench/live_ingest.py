"""A tracker's traffic during a benchmark: batches of page views POSTed to
`/api/tracking/collect` at a steady rate, so the server's loader commits every interval (about
0.5 s) and every cached report answer goes stale as it would on a live site."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import httpx
import orjson

from touchline.control.db import Database
from touchline.control.repos import profiles, tracking_keys
from touchline.settings import Settings

BATCHES_PER_S: Final = 20
EVENTS_PER_BATCH: Final = 5
TRACKING_KEY: Final = "trk_t11_bench_live_ingest"
HEADERS: Final = {
    "Content-Type": "text/plain;charset=UTF-8",
    "Origin": "https://shop.example.com",
    "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
}


def tracking_key(data_dir: Path) -> str:
    """The bench's tracking key for the data directory's one profile (made on first use)."""
    settings = Settings(data_dir=data_dir, database_url="", event_store_url="")
    database = Database.open(settings)
    try:
        with database.transaction() as session:
            [profile] = profiles.list_all(session)
            known = tracking_keys.list_for_profile(session, profile_id=profile.id)
            if not any(k.key == TRACKING_KEY for k in known):
                tracking_keys.create(session, profile_id=profile.id, key=TRACKING_KEY,
                                     actor="bench")  # fmt: skip
    finally:
        database.close()
    return TRACKING_KEY


@dataclass(slots=True)
class Ingest:
    """Counts of one run: batches accepted (202) and refused or failed."""

    url: str
    key: str
    accepted: int = 0
    failed: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, client: httpx.AsyncClient) -> None:
        """Post BATCHES_PER_S batches a second until `stop()`."""
        loop = asyncio.get_running_loop()
        start, sent, pending = loop.time(), 0, set[asyncio.Task[None]]()
        while not self._stop.is_set():
            await asyncio.sleep(max(0.0, start + sent / BATCHES_PER_S - loop.time()))
            task = asyncio.create_task(self._post(client, sent))
            pending.add(task)
            task.add_done_callback(pending.discard)
            sent += 1
        await asyncio.gather(*pending)

    def stop(self) -> None:
        self._stop.set()

    async def _post(self, client: httpx.AsyncClient, batch: int) -> None:
        body = orjson.dumps({"tracking_key": self.key, "events": _events(batch)})
        try:
            answer = await client.post(self.url, content=body, headers=HEADERS)
        except httpx.HTTPError:
            self.failed += 1
            return
        if answer.status_code == 202:
            self.accepted += 1
        else:
            self.failed += 1


def _events(batch: int) -> list[dict[str, object]]:
    now = int(time.time() * 1000)
    visitor = f"live-{batch % 500}"
    return [_event(f"live-{now}-{batch}-{n}", visitor, now, n) for n in range(EVENTS_PER_BATCH)]


def _event(event_id: str, visitor: str, now: int, n: int) -> dict[str, object]:
    return {
        "event_id": event_id, "type": "page_view", "anonymous_id": visitor,
        "session_id": f"s-{visitor}", "timestamp": now,
        "url": f"https://shop.example.com/products/{n}?utm_source=google&utm_medium=cpc",
        "referrer": "https://www.google.com/", "title": f"Product {n}",
    }  # fmt: skip
