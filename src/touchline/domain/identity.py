"""Identity rules: identifier kinds and their matching priority, normalization, anonymous names.

Names are display-only and never match (CHECKLIST §3.4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
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
PERSON_FIELDS: Final = ("email", "phone", "first_name", "last_name")
"""A customer's contact fields: COALESCE-backfilled, never overwritten (CHECKLIST §3.4)."""
MAX_VALUE_LENGTH: Final = 320
# Validation costs ~25 µs a value and the same person comes back (payments, logins, forms).
NORMALIZED_CACHE: Final = 16_384

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
    if not text or len(text) > MAX_VALUE_LENGTH:
        return None
    return _checked_email(text)


@lru_cache(maxsize=NORMALIZED_CACHE)
def _checked_email(text: str) -> str | None:
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
    return _e164(text, (region or "").upper() or None)


@lru_cache(maxsize=NORMALIZED_CACHE)
def _e164(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
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
    return text[:MAX_VALUE_LENGTH] if text else None


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
        if isinstance(raw, bool) or not isinstance(raw, str | int) or raw == "":
            continue
        value = normalize(kind, str(raw), region)
        if value is None:
            invalid.append((field, str(raw)[:MAX_VALUE_LENGTH]))
        else:
            found[kind] = value
    if anonymous_id and len(anonymous_id) <= MAX_VALUE_LENGTH:
        # Never truncated: the mirror's visitor key must equal the sessions' one.
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


def person_fields(identifiers: Identifiers) -> dict[str, str | None]:
    """The contact fields an event tells about its person (names included, display-only)."""
    fields: dict[str, str | None] = dict.fromkeys(PERSON_FIELDS)
    for kind, value in identifiers.pairs:
        if kind is IdentifierKind.EMAIL or kind is IdentifierKind.PHONE:
            fields[kind.value] = value
    for name, value in identifiers.names:
        if name in fields:
            fields[name] = value
    return fields


def backfill(
    current: Mapping[str, str | None], incoming: Mapping[str, str | None]
) -> dict[str, str | None]:
    """COALESCE: each empty field of `current` takes `incoming`'s value; none is overwritten."""
    return {name: current.get(name) or incoming.get(name) or None for name in PERSON_FIELDS}


def display_name(fields: Mapping[str, str | None], full_name: str | None = None) -> str | None:
    """A real name to show: "First Last" when known, else a full name; None when neither is."""
    parts = [part for part in (fields.get("first_name"), fields.get("last_name")) if part]
    chosen = " ".join(parts) if parts else (full_name or "").strip()
    return chosen[:200] or None


def anonymous_name(profile_id: str, visitor_id: str) -> str:
    """A stable "Color Animal" name for a visitor (the same ids always give the same name)."""
    digest = hashlib.blake2b(f"{profile_id}:{visitor_id}".encode(), digest_size=8).digest()
    number = int.from_bytes(digest, "big")
    return f"{COLORS[number % len(COLORS)]} {ANIMALS[(number // len(COLORS)) % len(ANIMALS)]}"


MAX_BOUND_ID: Final = 128


def visitor_anonymous_id(*, browser: bool, anonymous_id: str, payload: Mapping[str, Any]) -> str:
    """The visitor an event speaks for: a browser event's own anonymous id; a server event's
    only when the provider carried one from our tracker (Payment Link or checkout metadata,
    a cart attribute: `payload.anonymous_id`)."""
    if browser:
        return anonymous_id
    bound = payload.get("anonymous_id")
    return bound.strip()[:MAX_BOUND_ID] if isinstance(bound, str) else ""


ERASED_PREFIX: Final = "erased:"
"""An erased identifier's value (decision 0984): `erased:<token>`, or for a visitor id
`erased:v<visitor key>` — the key (already in every session row) keeps the erased customer's
sessions joined to their conversions, so history and credits stay as they were."""


def erased_value(kind: str, token: str, *, visitor_key: int = 0) -> str:
    """What replaces an identifier's value when its customer is erased."""
    if kind == IdentifierKind.ANONYMOUS_ID:
        return f"{ERASED_PREFIX}v{visitor_key}"
    return f"{ERASED_PREFIX}{token}"


def erased_visitor_key(value: str) -> int | None:
    """The visitor key an erased visitor id keeps; None for any other value."""
    head = f"{ERASED_PREFIX}v"
    if value.startswith(head) and value[len(head) :].isdigit():
        return int(value[len(head) :])
    return None
