"""Stripe objects → payment facts (pure). One payment can arrive three times — as a charge, a
payment intent and a checkout session — and always carries the same ref: the payment intent's
id, else the charge's (CHECKLIST §9 #33). Refunds count once each by refund id, disputes once
by dispute id. Email: receipt → billing details → customer (§9 #67)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from touchline.connectors.payments import PaymentFact, PaymentKind
from touchline.connectors.stripe.amounts import major

Obj = Mapping[str, Any]
PAID_CHECKOUT: Final = "paid"
VOID_REFUNDS: Final = frozenset({"failed", "canceled"})


def event_facts(event: Obj) -> list[PaymentFact]:
    """What a webhook event says happened ([] for types that move no money)."""
    handler = HANDLERS.get(str(event.get("type", "")))
    obj = _obj(_obj(event.get("data")).get("object"))
    if handler is None or not obj:
        return []
    return handler(event, obj)


def charge_payment(charge: Obj, *, at: datetime, details: Obj) -> list[PaymentFact]:
    """A captured, succeeded charge is cash (an authorization alone is not)."""
    if charge.get("status") != "succeeded" or not charge.get("paid"):
        return []
    if charge.get("captured") is False:
        return []
    currency = str(charge.get("currency", ""))
    amount = charge.get("amount_captured") or charge.get("amount")
    return [
        PaymentFact(
            kind=PaymentKind.RECEIVED, key=("charge", str(charge["id"])), at=at,
            ref=payment_ref(charge), amount=major(amount, currency), currency=currency.upper(),
            identity=charge_identity(charge), metadata=_obj(charge.get("metadata")),
            details={**details, **_charge_ids(charge)},
        )
    ]  # fmt: skip


def intent_payment(intent: Obj, *, at: datetime, details: Obj) -> list[PaymentFact]:
    if intent.get("status") != "succeeded":
        return []
    currency = str(intent.get("currency", ""))
    amount = intent.get("amount_received") or intent.get("amount")
    charge = _intent_charge(intent)
    billing = _obj(charge.get("billing_details"))
    customer = _obj(intent.get("customer"))
    identity = {
        "email": _first(intent.get("receipt_email"), charge.get("receipt_email"),
                        billing.get("email"), customer.get("email")),
        "phone": _first(billing.get("phone"), customer.get("phone")),
        "name": _first(billing.get("name"), customer.get("name")),
        "stripe_customer_id": _id(intent.get("customer")),
    }  # fmt: skip
    ids = {"payment_intent_id": str(intent["id"]), "customer_id": _id(intent.get("customer"))}
    return [
        PaymentFact(
            kind=PaymentKind.RECEIVED, key=("payment_intent", str(intent["id"])), at=at,
            ref=str(intent["id"]), amount=major(amount, currency), currency=currency.upper(),
            identity=identity, metadata=_obj(intent.get("metadata")),
            details={**details, **_present(ids)},
        )
    ]  # fmt: skip


def checkout_payment(session: Obj, *, at: datetime, details: Obj) -> list[PaymentFact]:
    """A paid session with a payment intent is the payment; any other completed session (a
    subscription's, whose cash comes with the invoice's charge; one still awaiting an
    asynchronous payment) still binds its customer and metadata, without money."""
    intent = _id(session.get("payment_intent"))
    customer = _obj(session.get("customer"))
    contact = _obj(session.get("customer_details"))
    identity = {
        "email": _first(contact.get("email"), session.get("customer_email"), customer.get("email")),
        "phone": _first(contact.get("phone"), customer.get("phone")),
        "name": _first(contact.get("name"), customer.get("name")),
        "stripe_customer_id": _id(session.get("customer")),
    }
    ids = {
        "checkout_session_id": str(session["id"]), "payment_intent_id": intent,
        "customer_id": _id(session.get("customer")),
        "payment_link": _id(session.get("payment_link")),
        "client_reference_id": str(session.get("client_reference_id") or ""),
    }  # fmt: skip
    common: dict[str, Any] = {
        "key": ("checkout_session", str(session["id"])), "at": at, "identity": identity,
        "metadata": _obj(session.get("metadata")), "details": {**details, **_present(ids)},
    }  # fmt: skip
    if session.get("payment_status") != PAID_CHECKOUT or not intent:
        return [PaymentFact(kind=PaymentKind.CHECKOUT, ref=str(session["id"]), **common)]
    currency = str(session.get("currency", ""))
    amount = major(session.get("amount_total"), currency)
    return [
        PaymentFact(kind=PaymentKind.RECEIVED, ref=intent, amount=amount,
                    currency=currency.upper(), **common)
    ]  # fmt: skip


def listed_refunds(charge: Obj) -> Sequence[Obj] | None:
    """The refunds the charge object lists, or None when it does not list them all (API
    versions since 2022-11-15 no longer include them unless expanded)."""
    refunds = _obj(charge.get("refunds"))
    data = refunds.get("data")
    if not isinstance(data, list) or refunds.get("has_more"):
        return None
    return [_obj(item) for item in data]


def refund_facts(charge: Obj, refunds: Sequence[Obj], *, details: Obj) -> list[PaymentFact]:
    """Each refund once, by its id (a charge refunded twice lists both refunds the second
    time); failed and canceled refunds return no money."""
    out = []
    for refund in refunds:
        if not refund.get("id") or refund.get("status") in VOID_REFUNDS:
            continue
        currency = str(refund.get("currency") or charge.get("currency", ""))
        out.append(
            PaymentFact(
                kind=PaymentKind.REFUNDED, key=("refund", str(refund["id"])),
                at=_time(refund.get("created")), ref=str(refund["id"]),
                amount=major(refund.get("amount"), currency), currency=currency.upper(),
                refund_of=payment_ref(charge), identity=charge_identity(charge),
                metadata=_obj(charge.get("metadata")),
                details={**details, **_charge_ids(charge), "refund_id": str(refund["id"])},
            )
        )  # fmt: skip
    return out


def refunded_increment(
    charge: Obj, *, previous: Obj, at: datetime, details: Obj
) -> list[PaymentFact]:
    """Without the refund objects: the amount refunded since the event's previous state, keyed
    by the new cumulative total (a redelivery is the same fact; the next refund another)."""
    currency = str(charge.get("currency", ""))
    total = int(charge.get("amount_refunded") or 0)
    before = int(previous.get("amount_refunded") or 0)
    if total <= before:
        return []
    ref = f"{charge['id']}:refunded:{total}"
    return [
        PaymentFact(
            kind=PaymentKind.REFUNDED, key=("refunded", str(charge["id"]), str(total)), at=at,
            ref=ref, amount=major(total - before, currency), currency=currency.upper(),
            refund_of=payment_ref(charge), identity=charge_identity(charge),
            metadata=_obj(charge.get("metadata")), details={**details, **_charge_ids(charge)},
        )
    ]  # fmt: skip


def dispute_chargeback(dispute: Obj, *, details: Obj) -> list[PaymentFact]:
    """A dispute takes the money back when opened (`charge.dispute.created`, or when the funds
    are withdrawn): once per dispute, whichever event comes first."""
    currency = str(dispute.get("currency", ""))
    payment = _id(dispute.get("payment_intent")) or _id(dispute.get("charge"))
    ids = {"dispute_id": str(dispute["id"]), "charge_id": _id(dispute.get("charge")),
           "payment_intent_id": _id(dispute.get("payment_intent"))}  # fmt: skip
    return [
        PaymentFact(
            kind=PaymentKind.CHARGEBACK, key=("dispute", str(dispute["id"])),
            at=_time(dispute.get("created")), ref=str(dispute["id"]),
            amount=major(dispute.get("amount"), currency), currency=currency.upper(),
            refund_of=payment, details={**details, **_present(ids),
                                        "reason": str(dispute.get("reason") or "")},
        )
    ]  # fmt: skip


def payment_ref(charge: Obj) -> str:
    """The payment a charge belongs to: its payment intent, else the charge itself."""
    return _id(charge.get("payment_intent")) or str(charge["id"])


def charge_identity(charge: Obj) -> dict[str, str]:
    billing = _obj(charge.get("billing_details"))
    customer = _obj(charge.get("customer"))
    return {
        "email": _first(charge.get("receipt_email"), billing.get("email"), customer.get("email")),
        "phone": _first(billing.get("phone"), customer.get("phone")),
        "name": _first(billing.get("name"), customer.get("name")),
        "stripe_customer_id": _id(charge.get("customer")),
    }


def event_details(event: Obj) -> dict[str, Any]:
    return {"source_event": str(event.get("type", "")), "source_event_id": str(event["id"])}


def _on_charge(event: Obj, charge: Obj) -> list[PaymentFact]:
    return charge_payment(charge, at=_time(event.get("created")), details=event_details(event))


def _on_intent(event: Obj, intent: Obj) -> list[PaymentFact]:
    return intent_payment(intent, at=_time(event.get("created")), details=event_details(event))


def _on_checkout(event: Obj, session: Obj) -> list[PaymentFact]:
    return checkout_payment(session, at=_time(event.get("created")), details=event_details(event))


def _on_refund(event: Obj, charge: Obj) -> list[PaymentFact]:
    details = event_details(event)
    refunds = listed_refunds(charge)
    if refunds is not None:
        return refund_facts(charge, refunds, details=details)
    previous = _obj(_obj(event.get("data")).get("previous_attributes"))
    return refunded_increment(
        charge, previous=previous, at=_time(event.get("created")), details=details
    )


def _on_dispute(event: Obj, dispute: Obj) -> list[PaymentFact]:
    return dispute_chargeback(dispute, details=event_details(event))


HANDLERS: Final[Mapping[str, Callable[[Obj, Obj], list[PaymentFact]]]] = {
    "charge.succeeded": _on_charge,
    "charge.captured": _on_charge,
    "payment_intent.succeeded": _on_intent,
    "checkout.session.completed": _on_checkout,
    "checkout.session.async_payment_succeeded": _on_checkout,
    "charge.refunded": _on_refund,
    "charge.dispute.created": _on_dispute,
    "charge.dispute.funds_withdrawn": _on_dispute,
}
REFUND_EVENT: Final = "charge.refunded"


def _intent_charge(intent: Obj) -> Obj:
    """The intent's charge when the payload includes it (expanded `latest_charge`, or the
    `charges` list of API versions before 2022-11-15)."""
    latest = _obj(intent.get("latest_charge"))
    if latest:
        return latest
    listed = _obj(intent.get("charges")).get("data")
    return _obj(listed[0]) if isinstance(listed, list) and listed else {}


def _charge_ids(charge: Obj) -> dict[str, str]:
    return _present(
        {
            "charge_id": str(charge["id"]),
            "payment_intent_id": _id(charge.get("payment_intent")),
            "customer_id": _id(charge.get("customer")),
        }
    )


def _obj(value: Any) -> Obj:
    return value if isinstance(value, Mapping) else {}


def _id(value: Any) -> str:
    """An id, whether Stripe sent the bare id or the expanded object."""
    if isinstance(value, Mapping):
        return str(value.get("id") or "")
    return value if isinstance(value, str) else ""


def _first(*values: Any) -> str:
    return next((str(v).strip() for v in values if isinstance(v, str) and v.strip()), "")


def _present(values: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def _time(epoch: Any) -> datetime:
    if isinstance(epoch, bool) or not isinstance(epoch, int | float):
        raise ValueError(f"a Stripe timestamp is epoch seconds, not {epoch!r}")
    return datetime.fromtimestamp(epoch, UTC)
