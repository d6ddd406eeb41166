"""`GET /campaigns` (attribution by campaign, ad set or ad: spend, attributed cash, ROAS and,
with `level`, delivery and platform details) and `GET /campaigns/trend` (daily delivery of up
to ten entities named by their internal ids)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends

from touchline.analytics.campaigns import AttributionRow, attribution_by
from touchline.analytics.trend import entity_trend, parse_entity_ids, parse_entity_level
from touchline.api import params
from touchline.api.amounts import amount, optional_amount
from touchline.api.answers import cached
from touchline.api.auth import Caller, require
from touchline.api.schemas import ApiModel, Envelope, PeriodMeta
from touchline.domain.ad_entities import internal_id
from touchline.domain.keys import Scope

router = APIRouter(tags=["campaigns"])
CampaignsCaller = Annotated[Caller, Depends(require(Scope.CAMPAIGNS_READ))]


class Campaign(ApiModel):
    campaign_id: str  # internal UUID (decision 0961), the key of /campaigns/trend
    campaign_name: str
    spend: float
    outcome_count: float  # attributed conversions of every revenue type, credit-weighted
    outcome_value: float  # attributed cash
    roas: float | None  # outcome_value / spend; null without spend


class CampaignDetail(Campaign):
    entity_level: str
    parent_name: str | None
    impressions: int
    clicks: int
    reach: int  # the largest single-day reach in the period (decision 0962)
    ctr: float | None
    avg_cpm: float | None
    avg_cpc: float | None
    cac: float | None
    status: str | None
    objective: str | None
    daily_budget: float | None


class TrendRow(ApiModel):
    entity_id: str
    date: dt.date
    spend: float
    impressions: int
    clicks: int


CampaignsAnswer = Envelope[list[CampaignDetail]] | Envelope[list[Campaign]]


@router.get("/campaigns", response_model=CampaignsAnswer, summary="Top campaigns")
async def campaigns(
    caller: CampaignsCaller,
    date_from: str | None = None,
    date_to: str | None = None,
    model: str | None = None,
    limit: str | None = None,
    level: str | None = None,
) -> CampaignsAnswer:
    """Campaigns (or, with `level`, ad sets or ads) ranked by attributed cash, with spend and
    ROAS; `level` adds delivery and platform fields."""
    period = params.period(date_from, date_to, caller.profile)
    chosen, count = params.model(model), params.limit(limit, default=10, maximum=100)
    grouping = parse_entity_level(level)
    run = partial(attribution_by, caller.runtime.store, profile_id=caller.profile_id,
                  period=period, model=chosen, level=grouping)  # fmt: skip
    rows = (await cached(caller, ("campaigns", period, chosen, grouping), run))[:count]
    meta = PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                      profile_id=caller.profile_id)  # fmt: skip
    if level:
        return Envelope(data=[_detail(row, caller.profile_id) for row in rows], meta=meta)
    return Envelope(data=[_campaign(row, caller.profile_id) for row in rows], meta=meta)


def _campaign(row: AttributionRow, profile_id: str) -> Campaign:
    return Campaign(
        campaign_id=internal_id(profile_id=profile_id, level=row.level.value, key=row.key),
        campaign_name=row.name, spend=amount(row.spend), outcome_count=row.outcome_count,
        outcome_value=amount(row.revenue), roas=row.roas,
    )  # fmt: skip


def _detail(row: AttributionRow, profile_id: str) -> CampaignDetail:
    entity, delivery = row.entity, row.delivery
    return CampaignDetail(
        **_campaign(row, profile_id).model_dump(),
        entity_level=row.level.value, parent_name=entity.parent_name or None,
        impressions=delivery.impressions, clicks=delivery.clicks, reach=delivery.peak_reach,
        ctr=row.ctr, avg_cpm=optional_amount(row.avg_cpm), avg_cpc=optional_amount(row.avg_cpc),
        cac=optional_amount(row.cac), status=entity.status or None,
        objective=entity.objective or None, daily_budget=optional_amount(entity.daily_budget),
    )  # fmt: skip


@router.get("/campaigns/trend", response_model=Envelope[list[TrendRow]], summary="Campaign trend")
async def trend(
    caller: CampaignsCaller,
    date_from: str | None = None,
    date_to: str | None = None,
    entity_ids: str | None = None,
    level: str | None = None,
) -> Envelope[list[TrendRow]]:
    """Daily spend, impressions and clicks of up to 10 entities (their `campaign_id`s from
    `/campaigns` at the same `level`); days without delivery have no row."""
    period = params.period(date_from, date_to, caller.profile)
    ids, grouping = parse_entity_ids(entity_ids), parse_entity_level(level)
    run = partial(entity_trend, caller.runtime.store, profile_id=caller.profile_id,
                  period=period, level=grouping, entity_ids=ids)  # fmt: skip
    days = await cached(caller, ("campaigns/trend", period, grouping, ids), run)
    data = [
        TrendRow(entity_id=d.entity_id, date=d.day, spend=amount(d.spend),
                 impressions=d.impressions, clicks=d.clicks)
        for d in days
    ]  # fmt: skip
    meta = PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                      profile_id=caller.profile_id)  # fmt: skip
    return Envelope(data=data, meta=meta)
