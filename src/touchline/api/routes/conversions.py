"""`GET /conversions` (counts per event type) and `GET /conversions/timeseries` (counts per
day and event type). Every conversion counts, attributed or not; refunds are not conversions."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends

from touchline.analytics.conversions import conversion_counts, conversions_by_day
from touchline.api import params
from touchline.api.answers import cached
from touchline.api.auth import Caller, require
from touchline.api.schemas import ApiModel, Envelope, PeriodMeta
from touchline.domain.keys import Scope

router = APIRouter(tags=["conversions"])
ConversionsCaller = Annotated[Caller, Depends(require(Scope.CONVERSIONS_READ))]


class ConversionCount(ApiModel):
    event_type: str  # the goal: lead_created, payment_received, … or a custom goal's key
    count: int
    revenue_type: str  # cash, pipeline or gross (CHECKLIST §9 #11, decision 0963)


class DailyConversionCount(ApiModel):
    date: dt.date
    event_type: str
    count: int


@router.get(
    "/conversions", response_model=Envelope[list[ConversionCount]], summary="Conversion counts"
)
async def conversions(
    caller: ConversionsCaller, date_from: str | None = None, date_to: str | None = None
) -> Envelope[list[ConversionCount]]:
    """Conversions of the period per event type, most frequent first."""
    period = params.period(date_from, date_to, caller.profile)
    run = partial(conversion_counts, caller.runtime.store, profile_id=caller.profile_id,
                  period=period)  # fmt: skip
    counts = await cached(caller, ("conversions", period), run)
    data = [
        ConversionCount(event_type=c.event_type, count=c.count, revenue_type=c.revenue_type)
        for c in counts
    ]
    meta = PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                      profile_id=caller.profile_id)  # fmt: skip
    return Envelope(data=data, meta=meta)


@router.get(
    "/conversions/timeseries",
    response_model=Envelope[list[DailyConversionCount]],
    summary="Daily conversions",
)
async def timeseries(
    caller: ConversionsCaller, date_from: str | None = None, date_to: str | None = None
) -> Envelope[list[DailyConversionCount]]:
    """Conversions per local day and event type; only the pairs that had conversions."""
    period = params.period(date_from, date_to, caller.profile)
    run = partial(conversions_by_day, caller.runtime.store, profile_id=caller.profile_id,
                  period=period)  # fmt: skip
    days = await cached(caller, ("conversions/timeseries", period), run)
    data = [DailyConversionCount(date=d.day, event_type=d.event_type, count=d.count) for d in days]
    meta = PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                      profile_id=caller.profile_id)  # fmt: skip
    return Envelope(data=data, meta=meta)
