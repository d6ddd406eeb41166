"""The GAQL the Google Ads sync runs: the customer, its campaigns, ad groups and ads (every
status), and each level's daily cost, impressions and clicks over a range of days."""

from __future__ import annotations

from datetime import date
from typing import Final

from touchline.domain.records import AdLevel

CAMPAIGNS: Final = (
    "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, "
    "campaign.bidding_strategy_type, campaign_budget.amount_micros FROM campaign"
)
AD_GROUPS: Final = (
    "SELECT campaign.id, ad_group.id, ad_group.name, ad_group.status, ad_group.type FROM ad_group"
)
ADS: Final = (
    "SELECT campaign.id, ad_group.id, ad_group_ad.ad.id, ad_group_ad.ad.name, "
    "ad_group_ad.ad.type, ad_group_ad.status, ad_group_ad.ad.final_urls, "
    "ad_group_ad.ad.responsive_search_ad.headlines, "
    "ad_group_ad.ad.responsive_search_ad.descriptions FROM ad_group_ad"
)
# Per level: the resource queried and the ids it selects (parents first).
METRIC_SOURCES: Final = {
    AdLevel.CAMPAIGN: ("campaign", "campaign.id"),
    AdLevel.AD_SET: ("ad_group", "campaign.id, ad_group.id"),
    AdLevel.AD: ("ad_group_ad", "campaign.id, ad_group.id, ad_group_ad.ad.id"),
}
METRICS: Final = (
    "metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, "
    "metrics.conversions_value, metrics.video_views"
)


def daily_metrics(level: AdLevel, first: date, last: date) -> str:
    resource, ids = METRIC_SOURCES[level]
    return (
        f"SELECT {ids}, segments.date, {METRICS} FROM {resource} "
        f"WHERE segments.date BETWEEN '{first.isoformat()}' AND '{last.isoformat()}'"
    )
