"""Ad spend and delivery from the platforms' daily insights, in the reporting currency.

Insights arrive at every level (campaign, ad set, ad); totals read the campaign rows only so
nothing is counted twice. A platform's report day is stored as midnight UTC of that day, so a
day is taken as is, without the profile's timezone (docs/decisions/0742).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

from touchline.analytics.attribution import Level, money
from touchline.analytics.filters import Dimension
from touchline.analytics.query import Period
from touchline.analytics.segments import Segment
from touchline.domain.channels import Channel
from touchline.store.base import EventStore, Sql

TOTALS_LEVEL: Final = "campaign"
PLATFORM_CHANNELS: Final = {
    "meta": Channel.PAID_SOCIAL,
    "tiktok": Channel.PAID_SOCIAL,
    "google_ads": Channel.PAID_SEARCH,
    "microsoft_ads": Channel.PAID_SEARCH,
}
OTHER_PLATFORMS: Final = Channel.DISPLAY


@dataclass(frozen=True, slots=True)
class Delivery:
    """One entity's (or channel's) spend and delivery over a period."""

    spend: Decimal = Decimal("0.00")
    impressions: int = 0
    clicks: int = 0
    reach: int = 0  # the sum of daily reach: an upper bound of unique reach
    # The largest single-day reach: exact for one day, a lower bound of unique reach over more
    # (the API's `reach`, decision 0962).
    peak_reach: int = 0

    def __add__(self, other: Delivery) -> Delivery:
        return Delivery(
            self.spend + other.spend,
            self.impressions + other.impressions,
            self.clicks + other.clicks,
            self.reach + other.reach,
            max(self.peak_reach, other.peak_reach),
        )


def insight_bounds(period: Period) -> dict[str, Any]:
    """Report days `date_from`..`date_to` as the stored midnight-UTC instants."""
    return {
        "day_start": _midnight(period.date_from),
        "day_end": _midnight(period.date_to + timedelta(days=1)),
    }


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def spend_by_day_sql(profile_id: str, period: Period) -> Sql:
    """Spend of every platform per report day (campaign rows)."""
    return Sql(
        "SELECT day, sum(reporting_spend) FROM ad_insights"
        " WHERE profile_id = $profile AND level = $level"
        " AND day >= $day_start AND day < $day_end GROUP BY day",
        {"profile": profile_id, "level": TOTALS_LEVEL, **insight_bounds(period)},
    )


def spend_by_day(store: EventStore, *, profile_id: str, period: Period) -> dict[date, Decimal]:
    rows = store.query(spend_by_day_sql(profile_id, period))
    return {day.astimezone(UTC).date(): money(total) for day, total in rows}


def delivery_sql(profile_id: str, period: Period, level: Level) -> Sql:
    """Spend, impressions, clicks and reach per (platform, entity) at `level` (campaign rows
    for the channel level, which groups them by platform)."""
    return Sql(
        """SELECT platform, entity_id, sum(reporting_spend), sum(impressions), sum(clicks),
  sum(reach), max(reach)
FROM ad_insights
WHERE profile_id = $profile AND level = $level AND day >= $day_start AND day < $day_end
GROUP BY platform, entity_id""",
        {
            "profile": profile_id,
            "level": TOTALS_LEVEL if level is Level.CHANNEL else level.value,
            **insight_bounds(period),
        },
    )


def delivery_by_key(
    store: EventStore, *, profile_id: str, period: Period, level: Level
) -> dict[str, Delivery]:
    """Delivery keyed as attribution rows are: the entity id, or the platform's channel."""
    out: dict[str, Delivery] = {}
    for platform, entity_id, spend, impressions, clicks, reach, peak in store.query(
        delivery_sql(profile_id, period, level)
    ):
        key = (
            PLATFORM_CHANNELS.get(str(platform), OTHER_PLATFORMS).value
            if level is Level.CHANNEL
            else str(entity_id)
        )
        found = Delivery(
            money(spend), int(impressions or 0), int(clicks or 0), int(reach or 0), int(peak or 0)
        )
        out[key] = out.get(key, Delivery()) + found
    return out


def campaign_spend_sql(profile_id: str, period: Period) -> Sql:
    """Spend per report day and campaign, with the campaign's platform and name."""
    return Sql(
        """SELECT i.day, i.platform, i.entity_id, coalesce(n.name, ''), sum(i.reporting_spend)
FROM ad_insights i
LEFT JOIN (SELECT entity_id, min(name) AS name FROM ad_entities
           WHERE profile_id = $profile AND level = $level GROUP BY entity_id) n
  ON n.entity_id = i.entity_id
WHERE i.profile_id = $profile AND i.level = $level AND i.day >= $day_start AND i.day < $day_end
GROUP BY i.day, i.platform, i.entity_id, n.name""",
        {"profile": profile_id, "level": TOTALS_LEVEL, **insight_bounds(period)},
    )


def segment_spend_by_day(
    store: EventStore, *, profile_id: str, period: Period, segment: Segment
) -> dict[date, Decimal]:
    """Spend per report day of the campaigns a segment's channel and campaign filters keep (a
    platform's campaigns are of its channel; a campaign matches by id or name). Other
    dimensions do not apply to spend (docs/decisions/0953)."""
    out: dict[date, Decimal] = {}
    for day, platform, entity_id, name, spend in store.query(
        campaign_spend_sql(profile_id, period)
    ):
        channel = PLATFORM_CHANNELS.get(str(platform), OTHER_PLATFORMS).value
        if segment.matches(Dimension.CHANNEL, channel) and segment.matches(
            Dimension.CAMPAIGN, str(entity_id), str(name)
        ):
            key = day.astimezone(UTC).date()
            out[key] = out.get(key, money(None)) + money(spend)
    return out
