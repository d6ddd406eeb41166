"""`POST /api/tracking/collect`: durable acceptance, CORS, limits, errors in the envelope."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from starlette.types import Message
from tests.serving import Served

from touchline.control.repos import tracking_keys
from touchline.errors import PayloadTooLarge
from touchline.ingest.collect import COLLECT_PATH, CollectEndpoint
from touchline.settings import Settings
from touchline.store.base import Sql

Serve = Callable[..., Served]
ORIGIN = "https://shop.example"
# Nesting deep enough to exhaust a recursive decoder, inside an otherwise valid event.
DEEP = (
    b'{"tracking_key": "k", "events": [{"event_id": "a", "type": "page_view", '
    b'"anonymous_id": "v", "timestamp": 1, "payload": {"a": '
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}}]}"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def event(event_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "page_view",
        "anonymous_id": "visitor-1",
        "timestamp": int(time.time() * 1000),
        "url": "https://shop.example/pricing?utm_source=google&utm_medium=cpc",
        **fields,
    }


def body(key: str, *events: dict[str, Any]) -> bytes:
    return orjson.dumps({"tracking_key": key, "events": list(events)})


def stored_event_ids(served: Served) -> list[str]:
    served.runtime.loader.drain()
    rows = served.runtime.store.query(Sql("SELECT event_id FROM events ORDER BY event_id"))
    return [str(row[0]) for row in rows]


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["status"] == status
    assert error["request_id"] == response.headers["x-request-id"]
    assert response.headers["access-control-allow-origin"] in (ORIGIN, "*")
    return dict(error)


def test_accepted_events_are_durable_before_the_answer_and_then_stored(serve: Serve) -> None:
    served = serve()
    response = served.client.post(
        COLLECT_PATH, content=body(served.tracking_key, event("e1"), event("e2"))
    )
    assert response.status_code == 202
    assert response.json() == {"accepted": 2}
    assert response.headers["x-request-id"].startswith("req_")
    assert served.runtime.loader.pending_bytes() > 0  # in the spool before any load
    assert stored_event_ids(served) == ["e1", "e2"]


def test_text_plain_bodies_from_send_beacon_are_read_as_json(serve: Serve) -> None:
    served = serve()
    response = served.client.post(
        COLLECT_PATH,
        content=body(served.tracking_key, event("beacon")),
        headers={"content-type": "text/plain;charset=UTF-8", "origin": ORIGIN},
    )
    assert response.status_code == 202
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert stored_event_ids(served) == ["beacon"]


def test_the_answer_counts_what_the_pipeline_dropped(serve: Serve) -> None:
    served = serve()
    stale = event("old", timestamp=int(time.time() * 1000) - 30 * 86_400_000)
    response = served.client.post(
        COLLECT_PATH, content=body(served.tracking_key, event("fresh"), stale)
    )
    assert response.json() == {"accepted": 1, "dropped": 1}
    crawler = served.client.post(
        COLLECT_PATH,
        content=body(served.tracking_key, event("bot")),
        headers={"user-agent": GOOGLEBOT},
    )
    assert crawler.status_code == 202
    assert crawler.json() == {"accepted": 0, "dropped": 1}
    assert stored_event_ids(served) == ["fresh"]


def test_a_replayed_event_id_is_stored_once(serve: Serve) -> None:
    served = serve()
    payload = body(served.tracking_key, event("same"))
    for _ in range(3):
        assert served.client.post(COLLECT_PATH, content=payload).status_code == 202
    assert stored_event_ids(served) == ["same"]


def test_the_preflight_allows_any_origin(serve: Serve) -> None:
    served = serve()
    response = served.client.options(
        COLLECT_PATH,
        headers={"origin": ORIGIN, "access-control-request-method": "POST"},
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "content-type"
    assert int(response.headers["access-control-max-age"]) > 0
    assert response.headers["x-request-id"].startswith("req_")


def test_unknown_and_revoked_tracking_keys_are_unauthorized(serve: Serve) -> None:
    served = serve()
    unknown = served.client.post(
        COLLECT_PATH, content=body("trk_live_unknown0000", event("e1")), headers={"origin": ORIGIN}
    )
    assert_envelope(unknown, 401, "unauthorized")
    with served.runtime.database.transaction() as session:
        tracking_keys.revoke(session, key_id=served.tracking_key, actor="test")
    revoked = served.client.post(
        COLLECT_PATH, content=body(served.tracking_key, event("e2")), headers={"origin": ORIGIN}
    )
    assert_envelope(revoked, 401, "unauthorized")
    assert stored_event_ids(served) == []


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        (b'{"tracking_key": "trk_live_x", "events": [', "Malformed JSON"),
        (b"\xff\xfe not utf-8", "Malformed JSON"),
        (b'{"tracking_key": "k", "events": [{"event_id": 5}]}', "$.events[0].event_id"),
        (b'{"tracking_key": "k", "events": []}', "$.events"),
        (b'{"tracking_key": 7, "events": []}', "$.tracking_key"),
        (DEEP, "nested too deeply"),
        (b'"just a string"', "Invalid collect body"),
    ],
)
def test_malformed_bodies_are_invalid_payload_naming_the_problem(
    serve: Serve, raw: bytes, named: str
) -> None:
    served = serve(collect_max_body_bytes=1024 * 1024)
    response = served.client.post(COLLECT_PATH, content=raw, headers={"origin": ORIGIN})
    error = assert_envelope(response, 400, "invalid_payload")
    assert named in error["message"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"type": "pageview"}, "$.events[1].type"),
        ({"event_id": "x" * 129}, "$.events[1].event_id"),
        ({"title": "t" * 3000}, "$.events[1].title"),
        ({"timestamp": True}, "$.events[1].timestamp"),
        ({"revenue": {"amount": 1e300, "currency": "USD"}}, "$.events[1].revenue.amount"),
        ({"payload": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}, "events[1].payload"),
    ],
)
def test_bad_events_are_invalid_payload_and_none_of_the_request_is_kept(
    serve: Serve, fields: dict[str, Any], named: str
) -> None:
    served = serve()
    raw = body(served.tracking_key, event("good"), {**event("bad"), **fields})
    response = served.client.post(COLLECT_PATH, content=raw, headers={"origin": ORIGIN})
    error = assert_envelope(response, 400, "invalid_payload")
    assert named in error["message"]
    assert stored_event_ids(served) == []


def test_invalid_utf8_inside_a_string_is_invalid_payload(serve: Serve) -> None:
    served = serve()
    raw = body(served.tracking_key, event("good", title="caf\u00e9"))
    response = served.client.post(COLLECT_PATH, content=raw.replace(b"\xc3\xa9", b"\xc3("))
    error = assert_envelope(response, 400, "invalid_payload")
    assert "UTF-8" in error["message"]
    assert stored_event_ids(served) == []


def test_a_body_over_the_limit_is_refused_before_it_is_read(serve: Serve) -> None:
    served = serve(collect_max_body_bytes=1000)
    padded = body(served.tracking_key, event("big", title="t" * 1500))
    response = served.client.post(COLLECT_PATH, content=padded, headers={"origin": ORIGIN})
    assert_envelope(response, 413, "payload_too_large")


def test_too_many_events_is_payload_too_large(serve: Serve) -> None:
    served = serve(collect_max_events=2)
    three = body(served.tracking_key, event("a"), event("b"), event("c"))
    response = served.client.post(COLLECT_PATH, content=three, headers={"origin": ORIGIN})
    error = assert_envelope(response, 413, "payload_too_large")
    assert "2 events" in error["message"]
    many = body(served.tracking_key, *(event(f"e{n}") for n in range(1001)))
    beyond_hard_limit = served.client.post(COLLECT_PATH, content=many, headers={"origin": ORIGIN})
    assert_envelope(beyond_hard_limit, 413, "payload_too_large")
    assert stored_event_ids(served) == []


def test_a_flood_from_one_address_is_rate_limited_with_retry_after(serve: Serve) -> None:
    served = serve(collect_rate_per_second=2)
    payload = body(served.tracking_key, event("e1"))
    answers = [
        served.client.post(COLLECT_PATH, content=payload, headers={"origin": ORIGIN})
        for _ in range(8)
    ]
    refused = [answer for answer in answers if answer.status_code == 429]
    assert refused, "a burst of 8 at 2/s must be refused in part"
    assert_envelope(refused[0], 429, "rate_limit_exceeded")
    assert int(refused[0].headers["retry-after"]) >= 1
    assert answers[0].status_code == 202


def test_other_methods_are_not_allowed(serve: Serve) -> None:
    served = serve()
    response = served.client.get(COLLECT_PATH, headers={"origin": ORIGIN})
    assert_envelope(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST, OPTIONS"


def test_bad_requests_never_disturb_accepted_events(serve: Serve) -> None:
    served = serve(collect_max_events=5)
    client, key = served.client, served.tracking_key
    assert client.post(COLLECT_PATH, content=body(key, event("kept-1"))).status_code == 202
    for raw in (
        b"{",
        b"\x00\x01\x02",
        body("trk_live_nobody00000", event("x")),
        body(key, *(event(f"many-{n}") for n in range(6))),
        body(key, event("bad", type="nope")),
    ):
        assert client.post(COLLECT_PATH, content=raw).status_code in (400, 401, 413)
    assert client.post(COLLECT_PATH, content=body(key, event("kept-2"))).status_code == 202
    assert stored_event_ids(served) == ["kept-1", "kept-2"]


def test_before_the_runtime_is_bound_collect_is_unavailable() -> None:
    endpoint = CollectEndpoint(Settings(data_dir="unused", database_url="", event_store_url=""))
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": [], "client": ("127.0.0.1", 1)}
    asyncio.run(endpoint(scope, receive, send))
    assert sent[0]["status"] == 503
    assert orjson.loads(sent[1]["body"])["error"]["code"] == "service_unavailable"


def test_a_streamed_body_is_cut_off_at_the_limit_without_reading_the_rest() -> None:
    endpoint = CollectEndpoint(
        Settings(data_dir="unused", collect_max_body_bytes=10_000, database_url="")
    )
    chunks_read = 0

    async def receive() -> Message:
        nonlocal chunks_read
        chunks_read += 1
        return {"type": "http.request", "body": b"x" * 4096, "more_body": True}

    async def read() -> bytes:
        return await endpoint.read_body(receive)

    with pytest.raises(PayloadTooLarge):
        asyncio.run(read())
    assert chunks_read == 3  # 12 KiB read of an endless body, then refused
