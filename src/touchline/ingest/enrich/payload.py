"""The event's JSON fields (`payload`, `identity`, `consent`) as compact JSON strings, and the
named payload limits (depth, keys, bytes), checked with a fast bound before any exact walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import msgspec

from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.step import DropReason, PayloadLimitError, Row
from touchline.ingest.protocol import (
    MAX_PAYLOAD_BYTES,
    MAX_PAYLOAD_DEPTH,
    MAX_PAYLOAD_KEYS,
    SERVER_MAX_PAYLOAD_BYTES,
    SERVER_MAX_PAYLOAD_DEPTH,
    SERVER_MAX_PAYLOAD_KEYS,
    RawEvent,
)

_encode: Final = msgspec.json.Encoder().encode


@dataclass(frozen=True, slots=True)
class PayloadLimits:
    bytes: int
    keys: int
    depth: int


BROWSER_LIMITS: Final = PayloadLimits(MAX_PAYLOAD_BYTES, MAX_PAYLOAD_KEYS, MAX_PAYLOAD_DEPTH)
SERVER_LIMITS: Final = PayloadLimits(
    SERVER_MAX_PAYLOAD_BYTES, SERVER_MAX_PAYLOAD_KEYS, SERVER_MAX_PAYLOAD_DEPTH
)


def check_payload(
    payload: dict[str, Any], encoded: bytes, limits: PayloadLimits = BROWSER_LIMITS
) -> None:
    """Raise PayloadLimitError when the payload breaks a limit. Every key is followed by a
    `:` and every level opens with `{` or `[`, so counting those bytes bounds keys and depth
    from above; only a payload past a bound is walked exactly."""
    if len(encoded) > limits.bytes:
        raise PayloadLimitError("payload", f"larger than {limits.bytes} bytes of JSON")
    if encoded.count(b":") <= limits.keys and (
        encoded.count(b"{") + encoded.count(b"[") <= limits.depth
    ):
        return
    depth, keys = measure(payload, limits)
    if depth > limits.depth:
        raise PayloadLimitError("payload", f"nested deeper than {limits.depth} levels")
    if keys > limits.keys:
        raise PayloadLimitError("payload", f"more than {limits.keys} keys")


def measure(value: Any, limits: PayloadLimits = BROWSER_LIMITS) -> tuple[int, int]:
    """(nesting depth, total keys at every level); the top object is depth 1."""
    depth = keys = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            keys += len(item)
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth = max(depth, level)
        if depth > limits.depth or keys > limits.keys:
            break  # already over a limit: the exact figure does not matter
        stack.extend((child, level + 1) for child in children)
    return depth, keys


def payload_step(event: RawEvent, ctx: RequestContext, row: Row) -> DropReason | None:
    if event.payload is not None:
        encoded = _encode(event.payload)
        browser = ctx.origin in FIRST_PARTY_ORIGINS
        check_payload(event.payload, encoded, BROWSER_LIMITS if browser else SERVER_LIMITS)
        row["payload"] = encoded.decode()
    if event.identity is not None:
        row["identity"] = _encode(event.identity).decode()
    if event.consent is not None:
        row["consent"] = _encode(event.consent).decode()
    return None
