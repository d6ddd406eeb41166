"""The Shopify order sync (optional; webhooks bring orders as they happen): every order
updated since the cursor, oldest update first; the cursor is the newest `updated_at` kept.
Payments and refunds come too only when the connection's paid orders are cash."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import Final

from touchline.connectors.base import Connection, HttpOptions, Page
from touchline.connectors.shopify.client import AdminClient
from touchline.connectors.shopify.mapping import PAID_ORDERS_AS_CASH, order_events

STREAM: Final = "orders"
log = logging.getLogger(__name__)


def sync(connection: Connection, *, since: date | None, http: HttpOptions) -> Iterator[Page]:
    """Pages of order events. Resuming at the cursor re-reads the orders updated at that very
    instant: their events have the same ids, so nothing doubles."""
    if not connection.secrets.get("access_token"):
        log.info(
            "shopify connection %s has no access token: webhooks only", connection.connection_id
        )
        return
    # `--since` backfills from that day whatever the cursor says.
    start = f"{since.isoformat()}T00:00:00Z" if since else connection.cursors.get(STREAM, "")
    cash = connection.switch(PAID_ORDERS_AS_CASH)
    with AdminClient(connection, http) as client:
        for orders in client.orders(updated_at_min=start):
            events = [event for order in orders for event in order_events(order, cash=cash)]
            times = [order.updated_at or order.created_at for order in orders]
            yield Page(STREAM, events, cursor=max(times).isoformat() if times else None)
