"""GoHighLevel webhooks (`POST /webhooks/ghl/{connection_id}`). A workflow's Webhook action
cannot sign, so a delivery proves it knows the connection's `--webhook-secret` one of three
ways, each compared in constant time: `X-Touchline-Signature: sha256=<hex HMAC-SHA256 of the
raw body>`, `X-Touchline-Token: <secret>`, or `?token=<secret>` (decision 0831). Contacts,
deals and appointments then map as the sync maps them; what a body does not say (a stage's
name, the location's currency, a calendar's name) is read from the API when there is a token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime
from typing import Final

import orjson
from pydantic import ValidationError

from touchline.connectors.base import (
    Connection,
    HttpOptions,
    ProviderError,
    WebhookRejected,
    WebhookRequest,
)
from touchline.connectors.ghl import mapping
from touchline.connectors.ghl.client import GhlClient
from touchline.connectors.ghl.deliveries import Delivery, delivery_of
from touchline.connectors.ghl.mapping import StageInfo
from touchline.connectors.ghl.payloads import Opportunity
from touchline.connectors.ghl.sync import deal_currency
from touchline.errors import InvalidPayload
from touchline.ingest.protocol import RawEvent

log = logging.getLogger(__name__)
SIGNATURE_HEADER: Final = "x-touchline-signature"
TOKEN_HEADER: Final = "x-touchline-token"
TOKEN_PARAM: Final = "token"


def receive(connection: Connection, request: WebhookRequest, http: HttpOptions) -> list[RawEvent]:
    verify(connection, request)
    try:
        body = orjson.loads(request.body)
        delivery = delivery_of(body, request.received_at) if isinstance(body, dict) else None
    except (orjson.JSONDecodeError, ValidationError) as error:
        raise InvalidPayload(f"unreadable GoHighLevel webhook body: {error}"[:300]) from None
    if delivery is None:
        return []
    with Lookup(connection, http) as lookup:
        return events_of(delivery, lookup, request.received_at)


def verify(connection: Connection, request: WebhookRequest) -> None:
    secret = connection.secrets.get("webhook_secret", "")
    if not secret:
        raise WebhookRejected("this GoHighLevel connection has no webhook secret")
    signature = request.headers.get(SIGNATURE_HEADER, "").strip()
    if signature:
        given = signature.removeprefix("sha256=").lower()
        valid = hmac.compare_digest(sign(secret, request.body).encode(), given.encode())
    else:
        token = request.headers.get(TOKEN_HEADER, "") or request.query.get(TOKEN_PARAM, "")
        valid = bool(token) and hmac.compare_digest(token.strip().encode(), secret.encode())
    if not valid:
        raise WebhookRejected("missing or wrong X-Touchline-Signature, X-Touchline-Token or token")


def sign(secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of a body with the connection's webhook secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def events_of(delivery: Delivery, lookup: Lookup, received: datetime) -> list[RawEvent]:
    events: list[RawEvent] = []
    contact = delivery.contact
    if contact is not None and contact.id:
        if delivery.contact_update and contact.date_updated is None:
            contact = contact.model_copy(update={"date_updated": received})
        events += mapping.contact_events(contact, received=received)
    if delivery.deal is not None:
        events += _deal_events(delivery, delivery.deal, lookup, received)
    if delivery.appointment is not None and delivery.appointment.id:
        name = delivery.calendar_name or lookup.calendar_name(delivery.appointment.calendar_id)
        events += mapping.appointment_events(
            delivery.appointment, calendar_name=name, received=received
        )
    return events


def _deal_events(
    delivery: Delivery, deal: Opportunity, lookup: Lookup, received: datetime
) -> list[RawEvent]:
    currency = lookup.currency(delivery.currency)
    events = []
    stage = lookup.stage(delivery, deal)
    if stage is not None:
        events.append(mapping.stage_event(deal, stage, currency=currency, received=received))
    status = mapping.status_event(deal, currency=currency, received=received)
    return events + ([status] if status is not None else [])


class Lookup:
    """Reads from the API what a webhook body leaves out, at most once per delivery; without
    an access token it knows only what the body and the connection say."""

    def __init__(self, connection: Connection, http: HttpOptions) -> None:
        self.connection = connection
        token = connection.secrets.get("access_token")
        self.client = GhlClient(connection, http) if token else None
        self._stages: dict[str, StageInfo] | None = None

    def __enter__(self) -> Lookup:
        return self

    def __exit__(self, *_: object) -> None:
        if self.client is not None:
            self.client.close()

    def stage(self, delivery: Delivery, deal: Opportunity) -> StageInfo | None:
        """The deal's stage: by id (typed events), or by the name a workflow sent, with
        whether it is its pipeline's first stage."""
        known = self._stage_index()
        if not delivery.stage_name:
            found = known.get(deal.pipeline_stage_id)
            if found is None:
                log.warning("ghl deal %s: stage %s unknown (needs --access-token)",
                            deal.id, deal.pipeline_stage_id)  # fmt: skip
            return found
        same = [s for s in known.values() if s.pipeline_id == deal.pipeline_id
                and s.name.casefold() == delivery.stage_name.casefold()]  # fmt: skip
        first = delivery.is_first_stage
        if first is None:
            first = bool(same) and same[0].is_first
        pipeline = delivery.pipeline_name or (same[0].pipeline_name if same else "")
        return StageInfo(delivery.stage_name, first, deal.pipeline_id, pipeline)

    def currency(self, sent: str) -> str:
        configured = deal_currency(None, self.connection)
        if configured or (len(sent) == 3 and sent.isalpha()):
            return configured or sent
        return deal_currency(self.client, self.connection) if self.client else ""

    def calendar_name(self, calendar_id: str) -> str:
        if self.client is None or not calendar_id:
            return ""
        try:
            calendars = self.client.calendars()
        except ProviderError as error:  # a name is nice to have, not worth a retry
            log.warning("ghl calendar names unavailable: %s", error.message)
            return ""
        return next((c.name for c in calendars if c.id == calendar_id), "")

    def _stage_index(self) -> dict[str, StageInfo]:
        if self._stages is None:
            self._stages = mapping.stage_index(self.client.pipelines() if self.client else [])
        return self._stages
