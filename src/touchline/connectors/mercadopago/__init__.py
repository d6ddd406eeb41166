"""MercadoPago: signed payment notifications, each payment read from the API (approved = cash,
refunds and chargebacks net out); a catch-up sync through the payment search. See
docs/connectors/mercadopago.md."""

from __future__ import annotations

from touchline.connectors.base import ConnectorSpec, Option, Provider
from touchline.connectors.mercadopago.sync import sync
from touchline.connectors.mercadopago.webhooks import receive

SPEC = ConnectorSpec(
    provider=Provider.MERCADOPAGO,
    title="MercadoPago",
    options=(
        Option(
            "webhook-secret",
            secret=True,
            required=True,
            help="The application's webhook secret signature.",
        ),
        Option(
            "access-token",
            secret=True,
            required=True,
            help="An access token reading payments (APP_USR-…).",
        ),
        Option("api-base", help="MercadoPago API base URL (a proxy; tests)."),
    ),
    receive=receive,
    sync=sync,
    sync_interval_minutes=60,
)
