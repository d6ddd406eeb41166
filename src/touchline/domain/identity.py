"""Identity rules: identifier kinds and their matching priority, normalization, anonymous names.

Names are display-only and never match (CHECKLIST §3.4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    ANONYMOUS_ID = "anonymous_id"
    USER_ID = "user_id"
    STRIPE_CUSTOMER = "stripe_customer"
    GHL_CONTACT = "ghl_contact"
    SHOPIFY_CUSTOMER = "shopify_customer"
    MERCADOPAGO_PAYER = "mercadopago_payer"


MATCH_PRIORITY: Final = (
    IdentifierKind.EMAIL,
    IdentifierKind.PHONE,
    IdentifierKind.USER_ID,
    IdentifierKind.STRIPE_CUSTOMER,
    IdentifierKind.GHL_CONTACT,
    IdentifierKind.SHOPIFY_CUSTOMER,
    IdentifierKind.MERCADOPAGO_PAYER,
    IdentifierKind.ANONYMOUS_ID,
)
"""Strongest first: email, phone, then external ids; a browser visitor id is the weakest."""

IDENTITY_FIELDS: Final = {
    "email": IdentifierKind.EMAIL,
    "phone": IdentifierKind.PHONE,
    "user_id": IdentifierKind.USER_ID,
    "stripe_customer_id": IdentifierKind.STRIPE_CUSTOMER,
    "ghl_contact_id": IdentifierKind.GHL_CONTACT,
    "shopify_customer_id": IdentifierKind.SHOPIFY_CUSTOMER,
    "mercadopago_payer_id": IdentifierKind.MERCADOPAGO_PAYER,
}
"""Keys of an event's `identity` JSON object that carry identifiers (the rest are names)."""

NAME_FIELDS: Final = ("first_name", "last_name", "name")

COLORS: Final = (
    "Teal", "Coral", "Jade", "Amber", "Indigo", "Crimson", "Olive", "Ivory", "Azure", "Violet",
    "Saffron", "Slate", "Ruby", "Sage", "Copper", "Pearl", "Cobalt", "Plum", "Mint", "Onyx",
)  # fmt: skip
ANIMALS: Final = (
    "Falcon", "Fox", "Penguin", "Otter", "Heron", "Lynx", "Badger", "Dolphin", "Koala", "Panda",
    "Raven", "Tiger", "Walrus", "Gecko", "Bison", "Crane", "Marten", "Puffin", "Stag", "Wren",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Identifiers:
    """What an event says about a person: normalized identifiers (strongest first), the raw
    values that failed validation (kept, never matched), and display-only names."""

    pairs: tuple[tuple[IdentifierKind, str], ...] = ()
    invalid: tuple[tuple[str, str], ...] = ()
    names: tuple[tuple[str, str], ...] = ()

    def value(self, kind: IdentifierKind) -> str | None:
        return next((v for k, v in self.pairs if k is kind), None)

    def __bool__(self) -> bool:
        return bool(self.pairs)


def normalize_email(raw: str) -> str | None:
    """Lowercased and syntax-checked (no DNS); None when it is not an email address."""
    text = raw.strip()
    if not text or len(text) > 320:
        return None
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None
    return str(checked.normalized).lower()


def normalize_phone(raw: str, region: str | None) -> str | None:
    """E.164 (`+5215512345678`); a number without a country code needs `region`."""
    text = raw.strip()
    if not text or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalize(kind: IdentifierKind, raw: str, region: str | None = None) -> str | None:
    if kind is IdentifierKind.EMAIL:
        return normalize_email(raw)
    if kind is IdentifierKind.PHONE:
        return normalize_phone(raw, region)
    text = raw.strip()
    return text[:320] if text else None


def identifiers_of(
    identity: Mapping[str, Any],
    *,
    anonymous_id: str = "",
    user_id: str = "",
    region: str | None = None,
) -> Identifiers:
    """Normalize an event's `identity` object (plus the browser's ids) into `Identifiers`."""
    found: dict[IdentifierKind, str] = {}
    invalid: list[tuple[str, str]] = []
    raw_values = {field: identity.get(field) for field in IDENTITY_FIELDS}
    raw_values["user_id"] = raw_values["user_id"] or user_id or None
    for field, kind in IDENTITY_FIELDS.items():
        raw = raw_values.get(field)
        if not isinstance(raw, str | int) or raw == "":
            continue
        value = normalize(kind, str(raw), region)
        if value is None:
            invalid.append((field, str(raw)[:320]))
        else:
            found[kind] = value
    if anonymous_id:
        found[IdentifierKind.ANONYMOUS_ID] = anonymous_id
    names = tuple(
        (field, str(identity[field]).strip()[:200])
        for field in NAME_FIELDS
        if isinstance(identity.get(field), str) and str(identity[field]).strip()
    )
    pairs = tuple((kind, found[kind]) for kind in MATCH_PRIORITY if kind in found)
    return Identifiers(pairs=pairs, invalid=tuple(invalid), names=names)


def strongest(identifiers: Identifiers) -> tuple[IdentifierKind, str] | None:
    return identifiers.pairs[0] if identifiers.pairs else None


def anonymous_name(profile_id: str, visitor_id: str) -> str:
    """A stable "Color Animal" name for a visitor (the same ids always give the same name)."""
    digest = hashlib.blake2b(f"{profile_id}:{visitor_id}".encode(), digest_size=8).digest()
    number = int.from_bytes(digest, "big")
    return f"{COLORS[number % len(COLORS)]} {ANIMALS[(number // len(COLORS)) % len(ANIMALS)]}"
