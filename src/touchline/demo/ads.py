"""Demo ad accounts as their platforms report them: the Meta ad account (in MXN) as the
Marketing API's ad-level daily insights JSON, and the Google Ads account (in USD) as a report
CSV export — the same campaigns, ad sets/ad groups and ads the demo traffic's UTMs name, so
spend meets attributed cash. Deterministic per seed and day."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from touchline.demo import catalog
from touchline.demo.traffic import TrafficPlan

META_ACCOUNT: Final = "act_1029384756"
META_CURRENCY: Final = "MXN"
GOOGLE_CUSTOMER: Final = "123-456-7890"
GOOGLE_CURRENCY: Final = "USD"
# Daily budgets in each account's currency.
META_BUDGETS: Final = {
    "implants_spring_promo": 3_300,
    "whitening_lookalike": 2_100,
    "retargeting_site_visitors": 1_300,
}
GOOGLE_BUDGETS: Final = {"brand_search": 35, "implants_search": 80, "emergency_dentist": 50}
VIDEO_HINTS: Final = ("video", "reel", "story")


def platform_id(name: str) -> str:
    """A stable Meta-like numeric id for a demo entity name (campaign, ad set or ad)."""
    return str(120_000_000_000 + sum(ord(c) * 31**i for i, c in enumerate(name)) % 10**9)


def ad_set_name(campaign: catalog.Campaign) -> str:
    return f"{campaign.name} | CDMX 25-55"


def report_days(plan: TrafficPlan) -> list[date]:
    last = plan.end.astimezone(ZoneInfo(plan.timezone)).date()
    return [last - timedelta(days=offset) for offset in range(plan.days - 1, -1, -1)]


def meta_insights(plan: TrafficPlan) -> dict[str, Any]:
    """`GET /act_…/insights?level=ad&time_increment=1` as the API answers (numbers as
    strings), every page's rows in one `data` list, as `touchline import meta-insights` takes."""
    rows = [row for day in report_days(plan) for row in _meta_day(plan, day)]
    return {"data": rows, "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}}}


def _meta_day(plan: TrafficPlan, day: date) -> Iterator[dict[str, Any]]:
    for campaign in catalog.META_CAMPAIGNS:
        rng = random.Random(f"{plan.seed}/meta/{campaign.name}/{day.isoformat()}")
        budget = META_BUDGETS[campaign.name] * plan.scale * rng.uniform(0.85, 1.1)
        shares = [rng.uniform(0.6, 1.4) for _ in campaign.contents]
        for content, share in zip(campaign.contents, shares, strict=True):
            spend = round(budget * share / sum(shares), 2)
            yield _meta_row(rng, campaign, content, day, spend)


def _meta_row(
    rng: random.Random, campaign: catalog.Campaign, ad: str, day: date, spend: float
) -> dict[str, Any]:
    impressions = int(spend / rng.uniform(90, 140) * 1000)
    clicks = int(impressions * rng.uniform(0.009, 0.016))
    frequency = rng.uniform(1.1, 1.5)
    leads = int(clicks * rng.uniform(0.02, 0.05))
    row: dict[str, Any] = {
        "account_id": META_ACCOUNT.removeprefix("act_"), "account_currency": META_CURRENCY,
        "campaign_id": platform_id(campaign.name), "campaign_name": campaign.name,
        "adset_id": platform_id(ad_set_name(campaign)), "adset_name": ad_set_name(campaign),
        "ad_id": platform_id(f"{campaign.name}/{ad}"), "ad_name": ad,
        "objective": "OUTCOME_LEADS", "spend": f"{spend:.2f}", "impressions": str(impressions),
        "clicks": str(clicks), "reach": str(int(impressions / frequency)),
        "frequency": f"{frequency:.6f}", "date_start": day.isoformat(),
        "date_stop": day.isoformat(),
        "actions": [{"action_type": "link_click", "value": str(clicks)},
                    {"action_type": "lead", "value": str(leads)}],
    }  # fmt: skip
    if any(hint in ad for hint in VIDEO_HINTS):
        plays = int(impressions * rng.uniform(0.3, 0.5))
        row["video_play_actions"] = [{"action_type": "video_view", "value": str(plays)}]
        row["video_p25_watched_actions"] = [{"action_type": "video_view",
                                             "value": str(int(plays * 0.55))}]  # fmt: skip
        row["video_p100_watched_actions"] = [{"action_type": "video_view",
                                              "value": str(int(plays * 0.12))}]  # fmt: skip
    return row


def google_ads_csv(plan: TrafficPlan) -> str:
    """An ad group report exported from the Google Ads UI: a title row, the date range, the
    header, one row per ad group and day, then the totals rows the export appends."""
    days = report_days(plan)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Ad group report"])
    writer.writerow([f"{days[0]:%B %-d, %Y} - {days[-1]:%B %-d, %Y}"])
    writer.writerow(["Campaign", "Campaign ID", "Ad group", "Ad group ID", "Day",
                     "Currency code", "Cost", "Impr.", "Clicks"])  # fmt: skip
    total = 0.0
    for day in days:
        for row in _google_day(plan, day):
            total += float(row[6])
            writer.writerow(row)
    writer.writerow(["Total: Account", "--", "--", "--", "--", GOOGLE_CURRENCY,
                     f"{total:,.2f}", "--", "--"])  # fmt: skip
    return out.getvalue()


def _google_day(plan: TrafficPlan, day: date) -> Iterator[list[str]]:
    for campaign in catalog.GOOGLE_CAMPAIGNS:
        rng = random.Random(f"{plan.seed}/google/{campaign.name}/{day.isoformat()}")
        budget = GOOGLE_BUDGETS[campaign.name] * plan.scale * rng.uniform(0.8, 1.05)
        for term in campaign.terms:
            cost = budget / len(campaign.terms) * rng.uniform(0.8, 1.2)
            clicks = int(cost / rng.uniform(2.5, 4.5))
            impressions = int(clicks / rng.uniform(0.04, 0.09))
            yield [
                campaign.name, google_id(campaign.name), term, google_id(f"{campaign.name}/{term}"),
                day.isoformat(), GOOGLE_CURRENCY, f"{cost:.2f}", f"{impressions:,}", str(clicks),
            ]  # fmt: skip


def google_id(name: str) -> str:
    """A stable Google-Ads-like numeric id (campaigns ~11 digits)."""
    return str(20_000_000_000 + sum(ord(c) * 37**i for i, c in enumerate(name)) % 10**9)
