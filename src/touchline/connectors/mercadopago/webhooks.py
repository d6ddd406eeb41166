"""MercadoPago webhooks: the signature checked (signature.py), then the notified payment read
from the API — the notification itself carries only its id — and mapped with its bindings.
Notifications of other topics (merchant orders, subscriptions) are acknowledged."""

from __future__ import annotations

import logging
from typing import Any, Final

import orjson

from touchline.connectors.base import Connection, HttpOptions, WebhookRejected, WebhookRequest
from touchline.connectors.mercadopago import signature
from touchline.connectors.mercadopago.client import MercadoPagoClient, PaymentMissing
from touchline.connectors.mercadopago.mapping import payment_facts
from touchline.connectors.payments import bound_event, bounded
from touchline.ingest.protocol import RawEvent

log = logging.getLogger(__name__)

PAYMENT_TOPIC: Final = "payment"


def receive(connection: Connection, request: WebhookRequest, http: HttpOptions) -> list[RawEvent]:
    raw_id = request.query.get("data.id") or request.query.get("id", "")
    if not raw_id:
        raise WebhookRejected("a MercadoPago notification names its data.id in the URL")
    signature.verify(
        secret=connection.secrets.get("webhook_secret", ""),
        header=request.headers.get("x-signature", ""),
        request_id=request.headers.get("x-request-id", ""),
        raw_data_id=raw_id,
        received_at=request.received_at,
    )
    if _topic(request) != PAYMENT_TOPIC:
        return []
    try:
        with MercadoPagoClient(connection, http) as client:
            payment = client.payment(raw_id)
    except PaymentMissing as missing:
        log.info("mercadopago: payment %s not found, acknowledged: %s", raw_id, missing.message)
        return []
    raw = request.body.decode("utf-8", errors="replace")
    return payment_events(connection, payment, "webhook", raw=raw)


def payment_events(
    connection: Connection, payment: dict[str, Any], source: str, *, raw: str = ""
) -> list[RawEvent]:
    """The payment's events (test-mode payments are not stored, as Stripe's)."""
    if payment.get("live_mode") is False:
        log.info("mercadopago: test-mode payment %s not stored", payment.get("id"))
        return []
    details = {"source_event": source, "api_response": bounded(orjson.dumps(payment).decode())[0]}
    try:
        facts = payment_facts(payment, details=details)
    except (KeyError, ValueError, TypeError) as error:
        log.warning("mercadopago: payment %s not mapped: %r", payment.get("id"), error)
        return []
    return [bound_event(connection, fact, raw=raw) for fact in facts]


def _topic(request: WebhookRequest) -> str:
    """`type` of the notification (query or body), or the legacy IPN `topic`."""
    topic = request.query.get("type") or request.query.get("topic", "")
    if topic:
        return topic
    try:
        body = orjson.loads(request.body) if request.body else {}
    except orjson.JSONDecodeError:
        return ""
    return str(body.get("type") or body.get("topic") or "") if isinstance(body, dict) else ""
