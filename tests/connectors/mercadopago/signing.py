"""MercadoPago notifications as MercadoPago sends them: the recorded body, `data.id` and `type`
in the URL, and `x-signature`/`x-request-id` computed by MercadoPago's documented scheme."""

from __future__ import annotations

import copy
import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from tests.connectors.fixture_server import FIXTURES

from touchline.connectors.base import WebhookRequest

SECRET = "a4f1c2e9b7d34f0e8c6a5b3d2e1f0a9b"
REQUEST_ID = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"


def fixture(relative: str) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads((FIXTURES / "mercadopago" / relative).read_bytes())
    return copy.deepcopy(value)


def signature(data_id: str, ts: int, *, secret: str = SECRET, request_id: str = REQUEST_ID) -> str:
    """Written out independently of the connector: the manifest MercadoPago documents."""
    shown = data_id.lower() if data_id.isalnum() else data_id
    manifest = f"id:{shown};request-id:{request_id};ts:{ts};"
    digest = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
    return f"ts={ts},v1={digest}"


def notification(
    data_id: str = "1319862441",
    *,
    topic: str = "payment",
    secret: str = SECRET,
    at: float | None = None,
    ts: int | None = None,
    body: dict[str, Any] | None = None,
) -> WebhookRequest:
    now = time.time() if at is None else at
    stamp = int(now) if ts is None else ts
    payload = body if body is not None else fixture("notifications/payment.updated.json")
    payload["data"]["id"] = data_id
    return WebhookRequest(
        headers={"x-signature": signature(data_id, stamp, secret=secret),
                 "x-request-id": REQUEST_ID, "content-type": "application/json"},
        query={"data.id": data_id, "type": topic},
        body=orjson.dumps(payload),
        received_at=datetime.fromtimestamp(now, UTC),
    )  # fmt: skip
