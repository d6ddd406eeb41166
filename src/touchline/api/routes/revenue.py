"""`GET /revenue` (attributed cash under a model and ad spend per day) and `GET /revenue/cash`
(cash collected per payment source and original currency, model-independent)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends

from touchline.analytics.revenue import cash_collected, revenue_by_day
from touchline.api import params
from touchline.api.amounts import amount
from touchline.api.answers import cached
from touchline.api.auth import Caller, require
from touchline.api.schemas import ApiModel, Envelope, PeriodMeta
from touchline.domain.keys import Scope

router = APIRouter(tags=["revenue"])
RevenueCaller = Annotated[Caller, Depends(require(Scope.CONVERSIONS_READ))]


class RevenueDay(ApiModel):
    date: dt.date
    revenue: float  # attributed cash under the model, reporting currency; refunds negative
    spend: float  # every platform's spend that report day, reporting currency


class CashBySource(ApiModel):
    source: str  # stripe, mercadopago, … (the origin of payments not from a provider)
    currency: str  # ISO 4217, as paid
    total: float  # payments minus refunds, in `currency` (decision 0964)
    count: int  # payments
    refunds: int  # refunds and chargebacks
    refunded: float  # their amount, positive, in `currency`


@router.get("/revenue", response_model=Envelope[list[RevenueDay]], summary="Revenue by day")
async def revenue(
    caller: RevenueCaller,
    date_from: str | None = None,
    date_to: str | None = None,
    model: str | None = None,
) -> Envelope[list[RevenueDay]]:
    """One row per day of the period: attributed cash revenue and ad spend."""
    period = params.period(date_from, date_to, caller.profile)
    chosen = params.model(model)
    run = partial(revenue_by_day, caller.runtime.store, profile_id=caller.profile_id,
                  period=period, model=chosen)  # fmt: skip
    found = await cached(caller, ("revenue", period, chosen), run)
    data = [
        RevenueDay(date=d.day, revenue=amount(d.revenue), spend=amount(d.spend)) for d in found.days
    ]
    meta = PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                      profile_id=caller.profile_id)  # fmt: skip
    return Envelope(data=data, meta=meta)


@router.get("/revenue/cash", response_model=Envelope[list[CashBySource]], summary="Cash collected")
async def cash(
    caller: RevenueCaller, date_from: str | None = None, date_to: str | None = None
) -> Envelope[list[CashBySource]]:
    """Cash payments per source and original currency, whatever the attribution model."""
    period = params.period(date_from, date_to, caller.profile)
    run = partial(cash_collected, caller.runtime.store, profile_id=caller.profile_id,
                  period=period)  # fmt: skip
    found = await cached(caller, ("revenue/cash", period), run)
    data = [
        CashBySource(source=c.source, currency=c.currency, total=amount(c.total), count=c.count,
                     refunds=c.refunds, refunded=amount(c.refunded))
        for c in found
    ]  # fmt: skip
    meta = PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                      profile_id=caller.profile_id)  # fmt: skip
    return Envelope(data=data, meta=meta)
