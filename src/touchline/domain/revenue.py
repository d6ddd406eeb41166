"""Revenue types: only cash is confirmed money and the only one in revenue and ROAS figures."""

from __future__ import annotations

from enum import StrEnum


class RevenueType(StrEnum):
    CASH = "cash"  # confirmed payments (Stripe, MercadoPago, Payment Links)
    PIPELINE = "pipeline"  # CRM projections (lead, appointment, deal value)
    GROSS = "gross"  # e-commerce orders (may later be refunded or cancelled)
