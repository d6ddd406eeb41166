"""A small connector for testing the framework itself: HMAC-signed JSON payment webhooks and
a paged sync whose pages (and a failure) the test scripts."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import orjson
import pytest

from touchline.connectors import registry
from touchline.connectors.base import (
    Connection,
    ConnectorSpec,
    HttpOptions,
    Option,
    Page,
    Provider,
    ProviderError,
    WebhookRejected,
    WebhookRequest,
)
from touchline.connectors.events import server_event
from touchline.ingest.protocol import Identity, RawEvent

HEADER = "x-test-signature"


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payment(payment_id: str, amount: str, email: str = "") -> RawEvent:
    return server_event(
        provider="stripe", key=(payment_id,), name="payment_received",
        at=datetime(2026, 10, 1, 12, tzinfo=UTC), amount=Decimal(amount), currency="USD",
        identity=Identity(email=email) if email else None, payload={"provider_ref": payment_id},
    )  # fmt: skip


def receive(connection: Connection, request: WebhookRequest, http: HttpOptions) -> list[RawEvent]:
    expected = sign(connection.secret("webhook_secret"), request.body)
    if not hmac.compare_digest(expected, request.headers.get(HEADER, "")):
        raise WebhookRejected("the signature does not match")
    body = orjson.loads(request.body)
    if body.get("type") != "payment":
        return []
    return [payment(body["id"], body["amount"], body.get("email", ""))]


@dataclass
class Script:
    """Pages the sync serves (each a list of payment ids), and where it fails."""

    pages: list[list[str]] = field(default_factory=list)
    fail_at: int | None = None
    failure: ProviderError | None = None
    started_from: list[str] = field(default_factory=list)
    since: list[date | None] = field(default_factory=list)


SCRIPT = Script()


def sync(connection: Connection, *, since: date | None, http: HttpOptions) -> Iterator[Page]:
    start = int(connection.cursors.get("payments", "0"))
    SCRIPT.started_from.append(str(start))
    SCRIPT.since.append(since)
    for index in range(start, len(SCRIPT.pages)):
        if index == SCRIPT.fail_at and SCRIPT.failure is not None:
            raise SCRIPT.failure
        events = [payment(ref, "10.00") for ref in SCRIPT.pages[index]]
        yield Page("payments", events, cursor=str(index + 1))


FAKE = ConnectorSpec(
    provider=Provider.STRIPE,
    title="Fake Stripe",
    options=(
        Option("webhook-secret", secret=True, required=True),
        Option("api-key", secret=True),
        Option("account-id"),
        Option("api-base"),
    ),
    receive=receive,
    sync=sync,
    sync_interval_minutes=15,
)


@pytest.fixture
def fake_connector(monkeypatch: pytest.MonkeyPatch) -> Script:
    """Routes provider "stripe" to FAKE; returns a fresh sync script."""
    global SCRIPT
    SCRIPT = Script()

    real = registry.spec

    def spec(provider: str) -> ConnectorSpec:
        return FAKE if provider == "stripe" else real(provider)

    monkeypatch.setattr(registry, "spec", spec)
    return SCRIPT
