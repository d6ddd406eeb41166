"""The event's JSON fields (`payload`, `identity`, `consent`) as compact JSON strings, and the
named payload limits (depth, keys, bytes), checked with a fast bound before any exact walk.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.step import DropReason, PayloadLimitError, Row
from touchline.ingest.protocol import (
    MAX_PAYLOAD_BYTES,
    MAX_PAYLOAD_DEPTH,
    MAX_PAYLOAD_KEYS,
    RawEvent,
)

_encode: Final = msgspec.json.Encoder().encode


def check_payload(payload: dict[str, Any], encoded: bytes) -> None:
    """Raise PayloadLimitError when the payload breaks a limit. Every key is followed by a
    `:` and every level opens with `{` or `[`, so counting those bytes bounds keys and depth
    from above; only a payload past a bound is walked exactly."""
    if len(encoded) > MAX_PAYLOAD_BYTES:
        raise PayloadLimitError("payload", f"larger than {MAX_PAYLOAD_BYTES} bytes of JSON")
    if encoded.count(b":") <= MAX_PAYLOAD_KEYS and (
        encoded.count(b"{") + encoded.count(b"[") <= MAX_PAYLOAD_DEPTH
    ):
        return
    depth, keys = measure(payload)
    if depth > MAX_PAYLOAD_DEPTH:
        raise PayloadLimitError("payload", f"nested deeper than {MAX_PAYLOAD_DEPTH} levels")
    if keys > MAX_PAYLOAD_KEYS:
        raise PayloadLimitError("payload", f"more than {MAX_PAYLOAD_KEYS} keys")


def measure(value: Any) -> tuple[int, int]:
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
        if depth > MAX_PAYLOAD_DEPTH or keys > MAX_PAYLOAD_KEYS:
            break  # already over a limit: the exact figure does not matter
        stack.extend((child, level + 1) for child in children)
    return depth, keys


def payload_step(event: RawEvent, _ctx: RequestContext, row: Row) -> DropReason | None:
    if event.payload is not None:
        encoded = _encode(event.payload)
        check_payload(event.payload, encoded)
        row["payload"] = encoded.decode()
    if event.identity is not None:
        row["identity"] = _encode(event.identity).decode()
    if event.consent is not None:
        row["consent"] = _encode(event.consent).decode()
    return None
