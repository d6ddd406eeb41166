"""Stripe: payments, refunds and disputes from signed webhooks (cash); with an API key, a
backfill of charges. See docs/connectors/stripe.md."""

from __future__ import annotations

from touchline.connectors.base import ConnectorSpec, Option, Provider
from touchline.connectors.stripe.sync import sync
from touchline.connectors.stripe.webhooks import receive

SPEC = ConnectorSpec(
    provider=Provider.STRIPE,
    title="Stripe",
    options=(
        Option(
            "webhook-secret",
            secret=True,
            required=True,
            help="The endpoint's signing secret (whsec_…).",
        ),
        Option(
            "api-key",
            secret=True,
            help="A restricted key reading charges and refunds (rk_…/sk_…), for syncs.",
        ),
        Option("api-base", help="Stripe API base URL (a proxy; tests)."),
    ),
    receive=receive,
    sync=sync,
    sync_interval_minutes=60,
    sync_needs=("api_key",),
)
