"""The collect protocol: the typed shape of `POST /api/tracking/collect` bodies and their limits.

Parsing happens here, at the edge, with msgspec (one pass, typed, bounded); everything after
works on `RawEvent`. docs/tracking-protocol.md is the prose version of this module.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final

import msgspec

# Named limits. Each one is documented in docs/tracking-protocol.md.
MAX_ID_LENGTH: Final = 128
MAX_NAME_LENGTH: Final = 128
MAX_URL_LENGTH: Final = 4096
MAX_STRING_LENGTH: Final = 2048
MAX_PAYLOAD_DEPTH: Final = 5
MAX_PAYLOAD_KEYS: Final = 100
MAX_PAYLOAD_BYTES: Final = 16 * 1024
# Webhooks and syncs keep the provider's raw body and richer objects in the payload.
SERVER_MAX_PAYLOAD_BYTES: Final = 512 * 1024
SERVER_MAX_PAYLOAD_KEYS: Final = 1000
SERVER_MAX_PAYLOAD_DEPTH: Final = 8

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ID_LENGTH)]
OptionalId = Annotated[str, msgspec.Meta(max_length=MAX_ID_LENGTH)]
Name = Annotated[str, msgspec.Meta(max_length=MAX_NAME_LENGTH)]
Url = Annotated[str, msgspec.Meta(max_length=MAX_URL_LENGTH)]
Text = Annotated[str, msgspec.Meta(max_length=MAX_STRING_LENGTH)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Za-z]{3}$")]
# Epoch milliseconds (what Date.now() gives) or an ISO 8601 string.
Timestamp = int | float | Annotated[str, msgspec.Meta(max_length=40)]


class EventType(StrEnum):
    """The event types the tracker sends. `name` refines `track` and `engagement`."""

    PAGE_VIEW = "page_view"
    TRACK = "track"
    IDENTIFY = "identify"
    REVENUE = "revenue"
    ENGAGEMENT = "engagement"
    IMPRESSION = "impression"
    SELF_DESCRIBING = "self_describing"
    CONSENT = "consent"
    # Server-side only (connectors' ad entities, insights, keywords, calendar events:
    # domain/records.py); dropped when a browser sends it.
    RECORD = "record"


class Identity(msgspec.Struct, forbid_unknown_fields=False, omit_defaults=True):
    """What `identify()` knows about the visitor. Names are display-only, never matched."""

    email: Text | None = None
    phone: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    name: Text | None = None
    user_id: OptionalId | None = None
    # Provider ids server-side events (webhooks, syncs) carry: domain.identity.IDENTITY_FIELDS.
    stripe_customer_id: OptionalId | None = None
    ghl_contact_id: OptionalId | None = None
    shopify_customer_id: OptionalId | None = None
    mercadopago_payer_id: OptionalId | None = None


class Revenue(msgspec.Struct, forbid_unknown_fields=False, omit_defaults=True):
    """`trackRevenue(name, amount, currency)`: amount in major units of `currency`."""

    amount: Annotated[float, msgspec.Meta(ge=-1e12, le=1e12)]
    currency: Currency


class Consent(msgspec.Struct, forbid_unknown_fields=False, omit_defaults=True):
    analytics: bool | None = None
    marketing: bool | None = None


class RawEvent(msgspec.Struct, forbid_unknown_fields=False, omit_defaults=True):
    """One event as the browser (or an import file) sends it."""

    event_id: Id
    type: EventType
    anonymous_id: Id
    timestamp: Timestamp
    name: Name = ""
    session_id: OptionalId = ""
    url: Url = ""
    referrer: Url = ""
    title: Text = ""
    user_id: OptionalId = ""
    payload: dict[str, Any] | None = None
    identity: Identity | None = None
    revenue: Revenue | None = None
    consent: Consent | None = None
    # Import only (`touchline import events`): the original client's address and agent.
    ip: Annotated[str, msgspec.Meta(max_length=64)] = ""
    user_agent: Text = ""


MAX_EVENTS_HARD: Final = 1000  # the decoder refuses more outright; settings lower it further


class CollectRequest(msgspec.Struct, forbid_unknown_fields=False):
    tracking_key: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ID_LENGTH)]
    events: Annotated[list[RawEvent], msgspec.Meta(min_length=1, max_length=MAX_EVENTS_HARD)]
