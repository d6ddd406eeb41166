"""Factories for the enrichment tests: raw events as the decoder makes them, request contexts,
and fresh rows."""

from __future__ import annotations

from typing import Any

import msgspec

from touchline.ingest.context import ProfileContext, RequestContext
from touchline.ingest.enrich.step import Row
from touchline.ingest.pipeline import ROW_TEMPLATE
from touchline.ingest.protocol import RawEvent

NOW_US = 1_780_000_000_000_000  # 2026-05-28 in µs
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


def raw_event(**fields: Any) -> RawEvent:
    """A page view at NOW, decoded through msgspec like a real body; `fields` override."""
    values: dict[str, Any] = {
        "event_id": "evt_1",
        "type": "page_view",
        "anonymous_id": "anon_1",
        "timestamp": NOW_US // 1000,
        "url": "https://www.example.com/",
    }
    values.update(fields)
    return msgspec.json.decode(msgspec.json.encode(values), type=RawEvent)


def request(
    *,
    client_ip: str = "81.2.69.142",
    user_agent: str = CHROME,
    domains: frozenset[str] = frozenset({"example.com"}),
    live: bool = True,
    origin: str = "tracker",
) -> RequestContext:
    profile = ProfileContext(profile_id="prof_1", domains=domains)
    return RequestContext(
        profile=profile,
        client_ip=client_ip,
        user_agent=user_agent,
        received_at_us=NOW_US,
        origin=origin,
        live=live,
    )


def new_row(**fields: Any) -> Row:
    row = ROW_TEMPLATE.copy()
    row.update(fields)
    return row
