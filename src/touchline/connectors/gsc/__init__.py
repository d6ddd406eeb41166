"""Google Search Console: the searchAnalytics sync and the keywords file importer."""

from __future__ import annotations

from touchline.connectors.base import ConnectorSpec, Option, Provider
from touchline.connectors.gsc.importers import import_keywords
from touchline.connectors.gsc.sync import sync

SPEC = ConnectorSpec(
    provider=Provider.GSC,
    title="Google Search Console",
    options=(
        Option(
            "site-url",
            required=True,
            help="The property: sc-domain:example.com or https://www.example.com/.",
        ),
        Option("refresh-token", secret=True, help="OAuth refresh token (offline access)."),
        Option("client-id", help="OAuth client id the refresh token belongs to."),
        Option("client-secret", secret=True, help="OAuth client secret."),
        Option("access-token", secret=True, help="An OAuth access token (lasts an hour)."),
        Option("api-base", help="API host for every call, token included (proxies, tests)."),
    ),
    sync=sync,
    importers={"gsc": import_keywords},
    sync_interval_minutes=720,
)
