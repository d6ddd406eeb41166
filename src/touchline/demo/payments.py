"""Demo payments as the providers send them: who pays (a share of the visitors who left an
email in a form), when (1-10 days later), how much (clinic treatments, tourists in USD), which
provider (USD through Stripe; MXN through Stripe or MercadoPago), and the occasional partial
refund. Rendered as Stripe webhook events and MercadoPago payment objects; deterministic."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from touchline.demo.traffic import TrafficPlan, visitor
from touchline.ingest.protocol import RawEvent

PAYING_SHARE: Final = 0.3  # identified visitors who pay for a treatment
REFUND_SHARE: Final = 0.05
LINK_SHARE: Final = 0.35  # Stripe payments made through a Payment Link carrying the visitor id
MERCADOPAGO_SHARE: Final = 0.5  # of MXN payments
TREATMENTS_MXN: Final = (1_800, 3_500, 6_200, 12_000, 18_500)
USD_SHARE: Final = 0.2  # tourists pay in USD
WALK_INS_PER_DAY: Final = 3  # patients who pay at the desk, never seen on the site
DAY_MS: Final = 86_400_000
MERCADOPAGO_ZONE: Final = ZoneInfo("America/Mexico_City")


@dataclass(frozen=True, slots=True)
class DemoPayment:
    provider: str  # stripe | mercadopago
    reference: str  # pi_… or the MercadoPago payment id
    paid_ms: int
    amount_minor: int  # cents / centavos
    currency: str  # lower-case ISO code, as both APIs write it
    email: str
    first_name: str
    last_name: str
    phone: str
    anonymous_id: str  # the visitor, when the payment came through a Payment Link
    refund_minor: int = 0
    refund_ms: int = 0


def plan_payments(plan: TrafficPlan, identified: Iterable[RawEvent]) -> Iterator[DemoPayment]:
    """Payments of the site's leads, then of walk-in patients, in time order."""
    both = [*_lead_payments(plan, identified), *_walk_ins(plan)]
    yield from sorted(both, key=lambda payment: payment.paid_ms)


def _walk_ins(plan: TrafficPlan) -> Iterator[DemoPayment]:
    """A few desk payments a day from people the site never saw (nothing to attribute)."""
    zone = ZoneInfo(plan.timezone)
    last_day = plan.end.astimezone(zone).date()
    end_ms = int(plan.end.timestamp() * 1000)
    for offset in range(plan.days - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        rng = random.Random(f"{plan.seed}/walk-in/{day.isoformat()}")
        for index in range(rng.randrange(WALK_INS_PER_DAY + 1)):
            person = visitor(plan.seed, day, 300_000 + index)
            noon = datetime.combine(day, time(rng.randrange(9, 19)), tzinfo=zone)
            paid_ms = int(noon.timestamp() * 1000) + rng.randrange(3_600_000)
            if paid_ms > end_ms:
                continue
            provider = rng.choice(("stripe", "mercadopago"))
            reference = _reference(rng, provider)
            yield DemoPayment(
                provider=provider, reference=reference, paid_ms=paid_ms,
                amount_minor=rng.choice(TREATMENTS_MXN) * 100, currency="mxn",
                email=person.email, first_name=person.first_name, last_name=person.last_name,
                phone=person.phone, anonymous_id="",
            )  # fmt: skip


def _lead_payments(plan: TrafficPlan, identified: Iterable[RawEvent]) -> Iterator[DemoPayment]:
    """A payment for a share of the visitors who identified with an email in a form, never
    after the plan's end. Portal sign-ins (they carry `user_id`) are returning patients."""
    end_ms = int(plan.end.timestamp() * 1000)
    for event in identified:
        identity = event.identity
        if identity is None or not identity.email or identity.user_id:
            continue
        rng = random.Random(f"{plan.seed}/payment/{event.event_id}")
        if rng.random() >= PAYING_SHARE:
            continue
        assert isinstance(event.timestamp, int)
        paid_ms = event.timestamp + rng.randrange(1, 10 * 86_400) * 1000
        if paid_ms > end_ms:
            continue
        usd = rng.random() < USD_SHARE
        amount = round(rng.choice(TREATMENTS_MXN) / (18 if usd else 1), 2)
        provider = "stripe" if usd or rng.random() >= MERCADOPAGO_SHARE else "mercadopago"
        link = provider == "stripe" and rng.random() < LINK_SHARE
        refund = rng.random() < REFUND_SHARE and paid_ms + DAY_MS <= end_ms
        reference = _reference(rng, provider)
        yield DemoPayment(
            provider=provider, reference=reference, paid_ms=paid_ms,
            amount_minor=round(amount * 100), currency="usd" if usd else "mxn",
            email=identity.email, first_name=identity.first_name or "",
            last_name=identity.last_name or "", phone=identity.phone or "",
            anonymous_id=event.anonymous_id if link else "",
            refund_minor=round(amount * 50) if refund else 0,
            refund_ms=paid_ms + DAY_MS if refund else 0,
        )  # fmt: skip


def _reference(rng: random.Random, provider: str) -> str:
    """A Stripe payment intent id, or a MercadoPago payment number."""
    if provider == "stripe":
        return f"pi_{uuid.UUID(int=rng.getrandbits(128)).hex[:24]}"
    return str(rng.randrange(10**10, 10**11))


# --- Stripe: the events its webhooks deliver ---------------------------------------------------


def stripe_events(payment: DemoPayment) -> list[dict[str, Any]]:
    """What Stripe sends for one payment, in order: the intent and its charge succeeded (and
    the Checkout Session completed, for a Payment Link), then the refund if any."""
    charge = _stripe_charge(payment)
    intent = {
        "id": payment.reference, "object": "payment_intent", "amount": payment.amount_minor,
        "amount_received": payment.amount_minor, "currency": payment.currency,
        "created": payment.paid_ms // 1000, "customer": _customer(payment),
        "latest_charge": charge["id"], "livemode": True, "metadata": {},
        "receipt_email": payment.email, "status": "succeeded",
    }  # fmt: skip
    events = [
        _event(payment, "payment_intent.succeeded", intent, 0),
        _event(payment, "charge.succeeded", charge, 1),
    ]
    if payment.anonymous_id:
        events.append(_event(payment, "checkout.session.completed", _session(payment), 2))
    if payment.refund_minor:
        refunded = {
            **charge, "amount_refunded": payment.refund_minor, "refunded": False,
            "refunds": {"object": "list", "has_more": False, "data": [{
                "id": f"re_{payment.reference[3:]}", "object": "refund",
                "amount": payment.refund_minor, "charge": charge["id"],
                "created": payment.refund_ms // 1000, "currency": payment.currency,
                "payment_intent": payment.reference, "status": "succeeded",
            }]},
        }  # fmt: skip
        events.append(_event(payment, "charge.refunded", refunded, 3, payment.refund_ms))
    return events


def _stripe_charge(payment: DemoPayment) -> dict[str, Any]:
    name = f"{payment.first_name} {payment.last_name}".strip()
    return {
        "id": f"ch_{payment.reference[3:]}", "object": "charge", "amount": payment.amount_minor,
        "amount_captured": payment.amount_minor, "amount_refunded": 0,
        "billing_details": {"email": payment.email, "name": name or None,
                            "phone": payment.phone or None, "address": None},
        "captured": True, "created": payment.paid_ms // 1000, "currency": payment.currency,
        "customer": _customer(payment), "livemode": True, "metadata": {}, "paid": True,
        "payment_intent": payment.reference, "receipt_email": payment.email,
        "refunded": False, "refunds": {"object": "list", "data": [], "has_more": False},
        "status": "succeeded",
    }  # fmt: skip


def _session(payment: DemoPayment) -> dict[str, Any]:
    return {
        "id": f"cs_test_{payment.reference[3:]}", "object": "checkout.session",
        "amount_total": payment.amount_minor, "currency": payment.currency,
        "created": payment.paid_ms // 1000, "customer": _customer(payment),
        "customer_details": {"email": payment.email, "phone": payment.phone or None,
                             "name": f"{payment.first_name} {payment.last_name}".strip()},
        "metadata": {"atribu_visitor_id": payment.anonymous_id},
        "mode": "payment", "payment_intent": payment.reference,
        "payment_link": f"plink_{payment.reference[3:15]}", "payment_status": "paid",
        "status": "complete",
    }  # fmt: skip


def _customer(payment: DemoPayment) -> str:
    return "cus_" + uuid.uuid5(uuid.NAMESPACE_URL, payment.email).hex[:14]


def _event(
    payment: DemoPayment, kind: str, obj: dict[str, Any], index: int, at_ms: int = 0
) -> dict[str, Any]:
    return {
        "id": f"evt_{payment.reference[3:]}{index}", "object": "event",
        "api_version": "2024-06-20", "created": (at_ms or payment.paid_ms) // 1000,
        "data": {"object": obj}, "livemode": True, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": kind,
    }  # fmt: skip


# --- MercadoPago: the notification and the payment its API returns -----------------------------


def mercadopago_payment(payment: DemoPayment) -> dict[str, Any]:
    """`GET /v1/payments/{id}` as MercadoPago answers it (local times with an offset)."""
    paid = _mp_time(payment.paid_ms)
    refunds = []
    if payment.refund_minor:
        refunds = [{
            "id": int(payment.reference) + 1, "payment_id": int(payment.reference),
            "amount": payment.refund_minor / 100, "status": "approved",
            "date_created": _mp_time(payment.refund_ms), "source": {"type": "collector"},
        }]  # fmt: skip
    return {
        "id": int(payment.reference), "status": "approved", "status_detail": "accredited",
        "date_created": paid, "date_approved": paid, "date_last_updated": paid,
        "currency_id": payment.currency.upper(),
        "transaction_amount": payment.amount_minor / 100,
        "transaction_amount_refunded": payment.refund_minor / 100,
        "description": "Tratamiento dental", "payment_method_id": "visa",
        "payment_type_id": "credit_card", "operation_type": "regular_payment",
        "external_reference": f"cita-{payment.reference[-6:]}", "metadata": {},
        "payer": {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, payment.email).int % 10**9),
            "email": payment.email,
            "first_name": payment.first_name, "last_name": payment.last_name,
            "phone": {"area_code": "55", "number": payment.phone[-9:].replace(" ", "")},
            "identification": {"type": "RFC", "number": None},
        },
        "refunds": refunds, "live_mode": True,
    }  # fmt: skip


def mercadopago_notification(payment: DemoPayment) -> dict[str, Any]:
    """The webhook body MercadoPago posts (the payment itself is fetched by id)."""
    return {
        "action": "payment.updated" if payment.refund_minor else "payment.created",
        "api_version": "v1", "data": {"id": payment.reference},
        "date_created": _mp_time(payment.refund_ms or payment.paid_ms),
        "id": int(payment.reference) + 7, "live_mode": True, "type": "payment",
        "user_id": "1234567",
    }  # fmt: skip


def _mp_time(ms: int) -> str:
    """MercadoPago writes its account's local time with the offset (here Mexico City)."""
    local = datetime.fromtimestamp(ms / 1000, UTC).astimezone(MERCADOPAGO_ZONE)
    return local.isoformat(timespec="milliseconds")
