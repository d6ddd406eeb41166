"""Meta Ads (Facebook and Instagram): the Marketing API sync and the insights file importer."""

from __future__ import annotations

from touchline.connectors.base import ConnectorSpec, Option, Provider
from touchline.connectors.meta.importers import import_insights
from touchline.connectors.meta.sync import sync

SPEC = ConnectorSpec(
    provider=Provider.META,
    title="Meta Ads",
    options=(
        Option(
            "access-token",
            secret=True,
            required=True,
            help="A system-user or long-lived user token with ads_read.",
        ),
        Option("account-id", required=True, help="The ad account: act_<digits> or the digits."),
        Option(
            "client-secret",
            secret=True,
            help="The app secret, when the app requires appsecret_proof.",
        ),
        Option("api-base", help="Graph API host (a proxy; the tests' fixture server)."),
    ),
    sync=sync,
    importers={"meta-insights": import_insights},
    sync_interval_minutes=120,
)
