"""Identity rules: the kinds of identifier a customer profile has, and their matching priority.

Names are display-only and never match (CHECKLIST §3.4).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


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
