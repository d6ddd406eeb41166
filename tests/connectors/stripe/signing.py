"""Stripe webhooks as Stripe sends them: recorded events (tests/fixtures/stripe/events/) and
the `Stripe-Signature` header made with the SDK's own signing code."""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime
from typing import Any

import orjson
import stripe
from tests.connectors.fixture_server import FIXTURES

from touchline.connectors.base import WebhookRequest
from touchline.connectors.stripe.webhooks import SIGNATURE_HEADER

SECRET = "whsec_test_4eC39HqLyjWDarjtT1zdp7dc"
_cache: dict[str, dict[str, Any]] = {}


def event(name: str) -> dict[str, Any]:
    """A recorded event (a fresh copy: tests change amounts, times and metadata)."""
    if name not in _cache:
        _cache[name] = orjson.loads((FIXTURES / "stripe" / "events" / f"{name}.json").read_bytes())
    return copy.deepcopy(_cache[name])


def signature(body: bytes, secret: str = SECRET, at: float | None = None) -> str:
    """`t=…,v1=…` over `{t}.{body}` with HMAC-SHA256, as Stripe signs."""
    timestamp = int(time.time() if at is None else at)
    # The SDK leaves its signing helper unannotated.
    digest = stripe.WebhookSignature._compute_signature(  # type: ignore[no-untyped-call]
        f"{timestamp}.{body.decode()}", secret
    )
    return f"t={timestamp},v1={digest}"


def request(
    body: dict[str, Any] | bytes, *, secret: str = SECRET, at: float | None = None
) -> WebhookRequest:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    now = time.time() if at is None else at
    return WebhookRequest(
        headers={SIGNATURE_HEADER: signature(raw, secret, now)},
        query={},
        body=raw,
        received_at=datetime.fromtimestamp(now, UTC),
    )
