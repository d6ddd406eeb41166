"""Google Ads: the searchStream sync (GAQL) and the report CSV importer."""

from __future__ import annotations

from touchline.connectors.base import ConnectorSpec, Option, Provider
from touchline.connectors.google_ads.importers import import_report
from touchline.connectors.google_ads.sync import sync

SPEC = ConnectorSpec(
    provider=Provider.GOOGLE_ADS,
    title="Google Ads",
    options=(
        Option("customer-id", required=True, help="The account (CID), e.g. 123-456-7890."),
        Option("developer-token", secret=True, required=True, help="The API developer token."),
        Option("login-customer-id", help="The manager (MCC) account the access goes through."),
        Option("refresh-token", secret=True, help="OAuth refresh token (offline access)."),
        Option("client-id", help="OAuth client id the refresh token belongs to."),
        Option("client-secret", secret=True, help="OAuth client secret."),
        Option("access-token", secret=True, help="An OAuth access token (lasts an hour)."),
        Option("api-base", help="API host for every call, token included (proxies, tests)."),
    ),
    sync=sync,
    importers={"google-ads": import_report},
    sync_interval_minutes=120,
)
