"""Shopify: order, payment, refund and checkout webhooks, and an optional order sync. Paid
orders and refunds are cash only on a connection with `--paid-orders-as-cash` (decision 0821)."""

from __future__ import annotations

from touchline.connectors.base import ConnectorSpec, Option, Provider
from touchline.connectors.shopify.sync import sync
from touchline.connectors.shopify.webhooks import receive

SPEC = ConnectorSpec(
    provider=Provider.SHOPIFY,
    title="Shopify",
    options=(
        Option("shop", required=True, help="The shop: my-store or my-store.myshopify.com."),
        Option("webhook-secret", secret=True, required=True, help="The webhooks' signing secret."),
        Option("access-token", secret=True, help="Admin API token (read_orders) for the sync."),
        Option("api-base", help="Admin API base URL instead of the shop's (proxies, tests)."),
        Option(
            "paid-orders-as-cash",
            switch=True,
            help="Paid orders are cash and refunds negative cash (off: orders are gross only).",
        ),
    ),
    receive=receive,
    sync=sync,
    sync_interval_minutes=360,
)
