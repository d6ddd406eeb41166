"""Payment events the payment providers report (Stripe, MercadoPago): cash received, refunded,
charged back. A provider's mapping says what happened; this module turns it into the server
events the conversions step reads (docs/goals-and-conversions.md), with the binding applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

import msgspec

from touchline.connectors.base import Connection
from touchline.connectors.bindings import Binding, binding_of, customer_identity
from touchline.connectors.events import server_event
from touchline.ingest.protocol import Identity, RawEvent

RAW_LIMIT: Final = 96 * 1024
"""UTF-8 bytes of the provider's raw body kept in `payload.raw` (a longer body is cut at a
character boundary and `payload.raw_truncated` set). JSON-escaped, two such texts stay under the
server payload limit of 512 KiB, so a large body never costs the payment itself."""
MAX_ID: Final = 128  # the protocol's id limit (customer and payer ids)
MAX_TEXT: Final = 320  # emails, phones, names


class PaymentKind(StrEnum):
    RECEIVED = "payment_received"
    REFUNDED = "payment_refunded"
    CHARGEBACK = "chargeback"
    CHECKOUT = "checkout_completed"  # identity and binding only: the cash comes with its charge


@dataclass(frozen=True, slots=True)
class PaymentFact:
    """One thing that happened to a payment, as a provider's mapping reads it."""

    kind: PaymentKind
    key: tuple[str, ...]  # unique within the provider: the same fact always has the same key
    at: datetime
    ref: str  # provider_ref: the payment's id; a refund's or dispute's own id
    amount: Decimal | None = None  # major units, positive (refunds are made negative later)
    currency: str = ""
    refund_of: str = ""  # refunds and chargebacks: the payment's ref
    identity: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)  # where the binding is read
    details: Mapping[str, Any] = field(default_factory=dict)  # provider ids kept in the payload

    def with_identity(self, extra: Mapping[str, str]) -> PaymentFact:
        """Identity fields of a bound customer first (the binding names the person), the
        payment's own values where the customer has none."""
        merged = {**{k: v for k, v in self.identity.items() if v}, **extra}
        return replace(self, identity=merged)


def bound_event(connection: Connection, fact: PaymentFact, *, raw: str = "") -> RawEvent:
    """The fact as a server event of the connection's provider, with the binding its metadata
    names (a bound customer profile's identifiers added to the payment's identity)."""
    source = f"{connection.provider} connection {connection.connection_id}"
    binding = binding_of(fact.metadata, profile_id=connection.profile_id, source=source)
    bound = customer_identity(
        connection.database,
        profile_id=connection.profile_id,
        customer_profile_id=binding.customer_profile_id,
    )
    if bound:
        fact = fact.with_identity(bound)
    return payment_event(fact, provider=connection.provider.value, binding=binding, raw=raw)


def payment_event(fact: PaymentFact, *, provider: str, binding: Binding, raw: str = "") -> RawEvent:
    payload: dict[str, Any] = {**fact.details, **binding.payload(), "provider_ref": fact.ref}
    if fact.refund_of:
        payload["refund_of"] = fact.refund_of
    if raw:
        payload["raw"], cut = bounded(raw)
        if cut:
            payload["raw_truncated"] = True
    return server_event(
        provider=provider,
        key=fact.key,
        name=fact.kind.value,
        at=fact.at,
        identity=identity_of(fact.identity),
        amount=fact.amount,
        currency=fact.currency if fact.amount is not None else "",
        payload=payload,
    )


def bounded(text: str) -> tuple[str, bool]:
    """`text` cut to RAW_LIMIT bytes of UTF-8 (never inside a character), and whether it was."""
    encoded = text.encode()
    if len(encoded) <= RAW_LIMIT:
        return text, False
    return encoded[:RAW_LIMIT].decode(errors="ignore"), True


def identity_of(fields: Mapping[str, str]) -> Identity | None:
    """The event's `identity` (None when nothing is known); values over the protocol's limits
    are cut rather than refused."""
    known = {
        k: str(v).strip()[: MAX_ID if k.endswith("_id") else MAX_TEXT]
        for k, v in fields.items()
        if v and str(v).strip()
    }
    return msgspec.convert(known, Identity) if known else None
