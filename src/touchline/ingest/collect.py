"""`POST /api/tracking/collect`: body bytes → msgspec → enrichment → durable spool → `202`.

A raw ASGI endpoint (no Request objects, no pydantic) because it is the hot path (T1). It
answers the CORS preflight, puts CORS headers and `X-Request-Id` on every answer, and turns
every refusal into the spec's error envelope. docs/tracking-protocol.md is its contract.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import msgspec
import orjson
from starlette.types import Receive, Scope, Send

from touchline.errors import (
    InvalidPayload,
    MethodNotAllowed,
    PayloadTooLarge,
    RateLimitExceeded,
    TouchlineError,
    Unauthorized,
    Unavailable,
    envelope,
)
from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.client_ip import TrustedProxies, client_ip
from touchline.ingest.flood import FloodControl
from touchline.ingest.protocol import MAX_EVENTS_HARD, CollectRequest
from touchline.settings import Settings

if TYPE_CHECKING:
    from touchline.runtime import Runtime

COLLECT_PATH: Final = "/api/tracking/collect"
# Browsers may cache a preflight this long (Chrome caps it at 2 hours, Firefox at 24).
CORS_MAX_AGE_SECONDS: Final = 86_400

log = logging.getLogger("touchline.collect")

_JSON = (b"content-type", b"application/json")
_VARY = (b"vary", b"Origin")
_EXPOSE = (b"access-control-expose-headers", b"X-Request-Id, Retry-After")
_ALLOW = (b"allow", b"POST, OPTIONS")
_PREFLIGHT = (
    (b"access-control-allow-methods", b"POST, OPTIONS"),
    (b"access-control-allow-headers", b"content-type"),
    (b"access-control-max-age", str(CORS_MAX_AGE_SECONDS).encode()),
)


class ClientDisconnected(Exception):
    """The client went away before its body arrived: nothing to answer."""


@dataclass(slots=True)
class RequestHead:
    """The request headers collect needs, read in one pass over the ASGI header list."""

    origin: bytes = b"*"
    user_agent: str = ""
    forwarded_for: str | None = None
    content_length: int | None = None

    @classmethod
    def read(cls, headers: list[tuple[bytes, bytes]]) -> RequestHead:
        head = cls()
        for name, value in headers:
            if name == b"origin":
                head.origin = value
            elif name == b"user-agent":
                head.user_agent = value.decode("latin-1")
            elif name == b"x-forwarded-for":
                head.forwarded_for = value.decode("latin-1")
            elif name == b"content-length":
                head.content_length = int(value) if value.isdigit() else None
        return head


class CollectEndpoint:
    """The ASGI app behind COLLECT_PATH. Built with the Settings; bound to the Runtime once
    the lifespan has opened it (before that, and after shutdown, it answers 503)."""

    def __init__(self, settings: Settings) -> None:
        self.max_body_bytes = settings.collect_max_body_bytes
        self.max_events = min(settings.collect_max_events, MAX_EVENTS_HARD)
        self.trusted = TrustedProxies.parse(settings.trusted_proxies)
        self.flood = FloodControl(rate_per_second=settings.collect_rate_per_second)
        self.decoder = msgspec.json.Decoder(CollectRequest)
        self.runtime: Runtime | None = None

    def bind(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def unbind(self) -> None:
        self.runtime = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # `random`, not `secrets`: os.urandom releases the GIL on every call, handing it to
        # the loader thread mid-request. A request id must be unique, not unguessable.
        request_id = f"req_{random.getrandbits(64):016x}"
        head = RequestHead.read(scope["headers"])
        method = scope["method"]
        try:
            if method == "OPTIONS":
                await _send(send, 204, b"", request_id, head.origin, _PREFLIGHT)
                return
            if method != "POST":
                raise MethodNotAllowed("collect accepts POST (and the OPTIONS preflight)")
            body = await self.accept(scope, receive, head)
            await _send(send, 202, body, request_id, head.origin)
        except ClientDisconnected:
            return
        except TouchlineError as error:
            await _send_error(send, error, request_id, head.origin)
        except Exception:
            log.exception("collect failed in request %s", request_id)
            await _send_error(send, TouchlineError(), request_id, head.origin)

    async def accept(self, scope: Scope, receive: Receive, head: RequestHead) -> bytes:
        """Check, parse, enrich and spool one request; the `202` body once it is durable."""
        runtime = self.runtime
        if runtime is None:
            raise Unavailable("The server is starting or stopping; retry shortly")
        peer = scope["client"][0] if scope.get("client") else ""
        address = client_ip(peer, head.forwarded_for, self.trusted)
        self.admit(address)
        if head.content_length is not None and head.content_length > self.max_body_bytes:
            raise self.too_large()
        request = self.decode(await self.read_body(receive))
        if len(request.events) > self.max_events:
            raise PayloadTooLarge(f"At most {self.max_events} events per request")
        profile = runtime.tracking_keys.resolve(request.tracking_key)
        if profile is None:
            raise Unauthorized("Unknown or revoked tracking key")
        context = RequestContext(
            profile=profile,
            client_ip=address,
            user_agent=head.user_agent,
            received_at_us=time.time_ns() // 1000,
        )
        accepted, dropped = await runtime.ingest(request.events, context)
        if dropped:
            return b'{"accepted":%d,"dropped":%d}' % (accepted, dropped)
        return b'{"accepted":%d}' % accepted

    def admit(self, address: str) -> None:
        wait = self.flood.admit(address)
        if wait:
            retry_after = self.flood.retry_after_seconds(wait)
            raise RateLimitExceeded(
                f"Too many collect requests from this address; retry in {retry_after} s",
                retry_after=retry_after,
            )

    async def read_body(self, receive: Receive) -> bytes:
        """The body, refused with 413 as soon as it passes the limit (never buffered whole)."""
        message = await receive()
        body: bytes = message.get("body", b"")
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        if not message.get("more_body", False) and len(body) <= self.max_body_bytes:
            return body
        chunks, size = [body], len(body)
        while message.get("more_body", False):
            if size > self.max_body_bytes:
                raise self.too_large()
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnected
            chunk: bytes = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
        if size > self.max_body_bytes:
            raise self.too_large()
        return b"".join(chunks)

    def decode(self, body: bytes) -> CollectRequest:
        try:
            return self.decoder.decode(body)
        except msgspec.ValidationError as error:
            message = str(error)
            if message.endswith("at `$.events`") and "length <=" in message:
                raise PayloadTooLarge(f"At most {self.max_events} events per request") from None
            raise InvalidPayload(f"Invalid collect body: {message}") from None
        except msgspec.DecodeError as error:
            detail = str(error).removeprefix("JSON is malformed: ")
            raise InvalidPayload(f"Malformed JSON: {detail}") from None
        except UnicodeDecodeError:
            raise InvalidPayload("Malformed JSON: the body is not valid UTF-8") from None
        except RecursionError:
            raise InvalidPayload("Malformed JSON: nested too deeply") from None

    def too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The body is larger than {self.max_body_bytes} bytes")


async def _send(
    send: Send,
    status: int,
    body: bytes,
    request_id: str,
    origin: bytes,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    headers = [
        (b"x-request-id", request_id.encode()),
        (b"access-control-allow-origin", origin),
        _VARY,
        _EXPOSE,
        *extra,
    ]
    if body:
        headers += [_JSON, (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_error(send: Send, error: TouchlineError, request_id: str, origin: bytes) -> None:
    extra: tuple[tuple[bytes, bytes], ...] = ()
    if isinstance(error, RateLimitExceeded):
        extra = ((b"retry-after", str(error.retry_after).encode()),)
    elif isinstance(error, MethodNotAllowed):
        extra = (_ALLOW,)
    await _send(
        send, error.status, orjson.dumps(envelope(error, request_id)), request_id, origin, extra
    )
