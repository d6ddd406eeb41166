"""Stripe webhooks: verified with the SDK's `Webhook.construct_event` (the `stripe-signature`
header, five minutes of tolerance), then mapped to payment events with their bindings. Test-mode
events are acknowledged and not stored (the spec counts live payments only)."""

from __future__ import annotations

import logging
from typing import Any, Final

import orjson
import stripe

from touchline.connectors.base import Connection, HttpOptions, WebhookRejected
from touchline.connectors.base import WebhookRequest as Request
from touchline.connectors.payments import PaymentFact, bound_event
from touchline.connectors.stripe import mapping
from touchline.connectors.stripe.client import StripeClient
from touchline.ingest.protocol import RawEvent

log = logging.getLogger(__name__)

SIGNATURE_HEADER: Final = "stripe-signature"
TOLERANCE_SECONDS: Final = 300


def receive(connection: Connection, request: Request, http: HttpOptions) -> list[RawEvent]:
    event = verified(connection, request)
    if event.get("livemode") is not True:
        log.info("stripe: test-mode event %s acknowledged, not stored", event.get("id"))
        return []
    facts = _facts(connection, event, http)
    raw = request.body.decode("utf-8", errors="replace")
    return [bound_event(connection, fact, raw=raw) for fact in facts]


def verified(connection: Connection, request: Request) -> dict[str, Any]:
    """The event, once its signature and timestamp check out; WebhookRejected otherwise."""
    secret = connection.secrets.get("webhook_secret", "")
    header = request.headers.get(SIGNATURE_HEADER, "")
    if not secret or not header:
        raise WebhookRejected("the Stripe-Signature header or the webhook secret is missing")
    try:
        # The SDK leaves this function unannotated.
        stripe.Webhook.construct_event(  # type: ignore[no-untyped-call]
            request.body, header, secret, tolerance=TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected(f"Stripe signature refused: {error.user_message or error}") from None
    except ValueError:
        raise WebhookRejected("the body is not a Stripe event") from None
    event = orjson.loads(request.body)
    if not isinstance(event, dict) or not event.get("id"):
        raise WebhookRejected("the body is not a Stripe event")
    return event


def _facts(connection: Connection, event: dict[str, Any], http: HttpOptions) -> list[PaymentFact]:
    """The event's facts; a refund whose charge does not list its refund objects reads them
    from the API when the connection has an API key (else the amount refunded since the
    previous state stands in). API failures propagate: Stripe retries what is not acknowledged."""
    try:
        charge = _unlisted_refunds_of(event) if connection.secrets.get("api_key") else None
        if charge is None:
            return mapping.event_facts(event)
        with StripeClient(connection, http) as client:
            refunds = client.refunds_of(str(charge["id"]))
        return mapping.refund_facts(charge, refunds, details=mapping.event_details(event))
    except (KeyError, ValueError, TypeError) as error:
        # Verified but not the shape Stripe documents: store nothing, keep Stripe from retrying.
        log.warning("stripe: event %s not mapped: %r", event.get("id"), error)
        return []


def _unlisted_refunds_of(event: dict[str, Any]) -> dict[str, Any] | None:
    """The refunded charge when the event does not list its refunds; None otherwise."""
    if event.get("type") != mapping.REFUND_EVENT:
        return None
    data = event.get("data")
    charge = data.get("object") if isinstance(data, dict) else None
    if not isinstance(charge, dict) or mapping.listed_refunds(charge) is not None:
        return None
    return charge
