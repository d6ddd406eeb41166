"""GoHighLevel: contacts, deals (pipelines and stages) and calendar appointments by API sync,
and workflow or Marketplace webhooks with a per-connection secret."""

from __future__ import annotations

from touchline.connectors.base import ConnectorSpec, Option, Provider
from touchline.connectors.ghl.sync import sync
from touchline.connectors.ghl.webhooks import receive

SPEC = ConnectorSpec(
    provider=Provider.GHL,
    title="GoHighLevel",
    options=(
        Option("location-id", required=True, help="The location (sub-account) id."),
        Option(
            "access-token",
            secret=True,
            help="Private Integration or OAuth token (contacts, opportunities, calendars).",
        ),
        Option(
            "webhook-secret",
            secret=True,
            help="What workflow webhooks send as X-Touchline-Token, ?token= or HMAC key.",
        ),
        Option("currency", help="Currency of deal values (default: the location's)."),
        Option("api-base", help="API base URL instead of services.leadconnectorhq.com."),
    ),
    receive=receive,
    sync=sync,
    sync_interval_minutes=60,
)
