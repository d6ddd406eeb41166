"""MercadoPago payments (`GET /v1/payments/{id}`) → payment facts (pure). A payment that was
approved is cash (still when it is refunded or charged back later: the money came, then went);
each approved refund nets out once by its id; a chargeback takes back what refunds left. Amounts
are major units in the payment's own currency (MXN, BRL, ARS, COP, CLP, PEN, UYU, USD …)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from touchline.connectors.bindings import reference_metadata
from touchline.connectors.payments import PaymentFact, PaymentKind

Obj = Mapping[str, Any]
APPROVED: Final = "approved"
WAS_APPROVED: Final = frozenset({"approved", "refunded", "charged_back"})
REFUNDED: Final = "refunded"
CHARGED_BACK: Final = "charged_back"


def payment_facts(payment: Obj, *, details: Obj) -> list[PaymentFact]:
    """The payment's cash in, its refunds and its chargeback ([] while pending, in process,
    rejected or cancelled)."""
    if str(payment.get("status", "")) not in WAS_APPROVED or not payment.get("date_approved"):
        return []
    received = _received(payment, details)
    refunds = _refunds(payment, received)
    return [received, *refunds, *_chargeback(payment, received, refunds)]


def payment_identity(payment: Obj) -> dict[str, str]:
    payer = _obj(payment.get("payer"))
    extra = _obj(_obj(payment.get("additional_info")).get("payer"))
    return {
        "mercadopago_payer_id": _text(payer.get("id")),
        "email": _text(payer.get("email")),
        "phone": _phone(_obj(payer.get("phone"))) or _phone(_obj(extra.get("phone"))),
        "first_name": _text(payer.get("first_name")) or _text(extra.get("first_name")),
        "last_name": _text(payer.get("last_name")) or _text(extra.get("last_name")),
    }


def payment_metadata(payment: Obj) -> dict[str, Any]:
    """Bindings from `external_reference` (JSON or `k=v&…`) overlaid by `metadata`."""
    reference = reference_metadata(_text(payment.get("external_reference")))
    return {**reference, **_obj(payment.get("metadata"))}


def _received(payment: Obj, details: Obj) -> PaymentFact:
    ref = _text(payment["id"])
    return PaymentFact(
        kind=PaymentKind.RECEIVED, key=("payment", ref), at=_time(payment["date_approved"]),
        ref=ref, amount=amount(payment.get("transaction_amount")), currency=_currency(payment),
        identity=payment_identity(payment), metadata=payment_metadata(payment),
        details={**details, **_ids(payment)},
    )  # fmt: skip


def _refunds(payment: Obj, received: PaymentFact) -> list[PaymentFact]:
    """Approved refunds, once each by id; a `refunded` payment listing none is refunded whole."""
    listed = payment.get("refunds")
    refunds = [_obj(r) for r in listed] if isinstance(listed, list) else []
    out = [
        _refund(received, key=("refund", _text(r["id"])), ref=_text(r["id"]),
                at=_time(r.get("date_created") or payment["date_last_updated"]),
                value=amount(r.get("amount")))
        for r in refunds
        if r.get("id") is not None and r.get("status") == APPROVED
    ]  # fmt: skip
    if not out and payment.get("status") == REFUNDED:
        whole = payment.get("transaction_amount_refunded") or payment.get("transaction_amount")
        out.append(
            _refund(received, key=("refunded", received.ref), ref=f"{received.ref}:refunded",
                    at=_time(payment["date_last_updated"]), value=amount(whole))
        )  # fmt: skip
    return out


def _chargeback(
    payment: Obj, received: PaymentFact, refunds: list[PaymentFact]
) -> list[PaymentFact]:
    """What the refunds had not already returned, taken back once per payment."""
    if payment.get("status") != CHARGED_BACK or received.amount is None:
        return []
    returned = sum((r.amount or Decimal(0) for r in refunds), Decimal(0))
    left = received.amount - returned
    if left <= 0:
        return []
    return [
        PaymentFact(
            kind=PaymentKind.CHARGEBACK, key=("chargeback", received.ref),
            at=_time(payment["date_last_updated"]), ref=f"{received.ref}:chargeback",
            amount=left, currency=received.currency, refund_of=received.ref,
            identity=received.identity, details=received.details,
        )
    ]  # fmt: skip


def _refund(
    received: PaymentFact, *, key: tuple[str, ...], ref: str, at: datetime, value: Decimal
) -> PaymentFact:
    return PaymentFact(
        kind=PaymentKind.REFUNDED, key=key, at=at, ref=ref, amount=value,
        currency=received.currency, refund_of=received.ref, identity=received.identity,
        details={**received.details, "refund_id": ref},
    )  # fmt: skip


def amount(value: Any) -> Decimal:
    """A MercadoPago amount (a JSON number, or a string of one) as an exact, positive Decimal."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"a MercadoPago amount is a number, not {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError(f"a MercadoPago amount is a number, not {value!r}") from error
    if not number.is_finite() or number < 0:
        raise ValueError(f"a MercadoPago amount is a non-negative number, not {value!r}")
    return number


def _ids(payment: Obj) -> dict[str, str]:
    ids = {
        "payment_id": _text(payment.get("id")),
        "order_id": _text(_obj(payment.get("order")).get("id")),
        "external_reference": _text(payment.get("external_reference")),
        "payment_method": _text(payment.get("payment_method_id")),
        "status": _text(payment.get("status")),
        "status_detail": _text(payment.get("status_detail")),
    }
    return {k: v for k, v in ids.items() if v}


def _currency(payment: Obj) -> str:
    code = _text(payment.get("currency_id")).upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"a MercadoPago payment has currency_id {code!r}")
    return code


def _phone(phone: Obj) -> str:
    """`{area_code, number}`; the number's region comes from the profile when it has no +."""
    return "".join(_text(phone.get(part)) for part in ("area_code", "number"))


def _obj(value: Any) -> Obj:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value).strip()


def _time(value: Any) -> datetime:
    """ISO 8601 with an offset (`2026-10-01T12:00:00.000-04:00`), as MercadoPago sends it."""
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError(f"a MercadoPago time has an offset, not {value!r}")
    return moment
