"""MercadoPago's webhook signature: `x-signature: ts=…,v1=…` is the HMAC-SHA256 (hex) with the
webhook secret of the manifest `id:{data.id};request-id:{x-request-id};ts:{ts};`, `data.id`
taken from the query string (lower-cased when alphanumeric), parts MercadoPago did not send
left out. `ts` comes in seconds or milliseconds; one more than five minutes away is stale."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from touchline.connectors.base import WebhookRejected

TOLERANCE_SECONDS: Final = 300
MILLISECONDS_FROM: Final = 10**11  # a `ts` above this is in milliseconds (year 5138 in seconds)


@dataclass(frozen=True, slots=True)
class Signature:
    ts: str
    v1: str

    @property
    def seconds(self) -> float:
        value = int(self.ts)
        return value / 1000 if value >= MILLISECONDS_FROM else float(value)


def parse(header: str) -> Signature:
    """`ts=…,v1=…` (any order, spaces allowed); WebhookRejected when a part is missing."""
    parts: dict[str, str] = {}
    for item in header.split(","):
        name, _, value = item.partition("=")
        parts[name.strip().lower()] = value.strip()
    ts, v1 = parts.get("ts", ""), parts.get("v1", "")
    if not ts.isdigit() or not v1:
        raise WebhookRejected("the x-signature header needs ts=… and v1=…")
    return Signature(ts, v1.lower())


def data_id(raw: str) -> str:
    """The id as it enters the manifest: lower-cased when alphanumeric (MercadoPago's rule)."""
    return raw.lower() if raw.isalnum() else raw


def manifest(*, data_id: str, request_id: str, ts: str) -> str:
    parts = [("id", data_id), ("request-id", request_id), ("ts", ts)]
    return "".join(f"{name}:{value};" for name, value in parts if value)


def sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def verify(
    *, secret: str, header: str, request_id: str, raw_data_id: str, received_at: datetime
) -> None:
    """Raise WebhookRejected unless the signature matches (constant-time) and is fresh."""
    if not secret:
        raise WebhookRejected("the connection has no webhook secret")
    signature = parse(header)
    text = manifest(data_id=data_id(raw_data_id), request_id=request_id, ts=signature.ts)
    if not hmac.compare_digest(sign(secret, text), signature.v1):
        raise WebhookRejected("MercadoPago signature refused: it does not match")
    if abs(received_at.timestamp() - signature.seconds) > TOLERANCE_SECONDS:
        raise WebhookRejected("MercadoPago signature refused: its timestamp is stale")
