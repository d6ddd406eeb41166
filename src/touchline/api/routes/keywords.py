"""`GET /keywords`: Search Console queries of the period with their impressions, clicks, CTR
and average position (empty until a Search Console connection or import brought keywords)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends

from touchline.analytics.keywords import keywords as keyword_rows
from touchline.api import params
from touchline.api.answers import cached
from touchline.api.auth import Caller, require
from touchline.api.schemas import ApiModel, Envelope, PeriodMeta
from touchline.domain.keys import Scope

router = APIRouter(tags=["keywords"])


class Keyword(ApiModel):
    keyword: str
    impressions: int
    clicks: int
    ctr: float  # clicks / impressions * 100, one place
    avg_position: float  # impression-weighted, one place (decision 0966)


@router.get("/keywords", response_model=Envelope[list[Keyword]], summary="Search keywords")
async def keywords(
    caller: Annotated[Caller, Depends(require(Scope.ANALYTICS_READ))],
    date_from: str | None = None,
    date_to: str | None = None,
    limit: str | None = None,
) -> Envelope[list[Keyword]]:
    """Queries with the most clicks first (then impressions)."""
    period = params.period(date_from, date_to, caller.profile)
    count = params.limit(limit, default=50, maximum=100)
    run = partial(keyword_rows, caller.runtime.store, profile_id=caller.profile_id,
                  period=period, limit=count)  # fmt: skip
    rows = await cached(caller, ("keywords", period, count), run)
    data = [
        Keyword(keyword=r.keyword, impressions=r.impressions, clicks=r.clicks, ctr=r.ctr,
                avg_position=r.avg_position)
        for r in rows
    ]  # fmt: skip
    meta = PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                      profile_id=caller.profile_id)  # fmt: skip
    return Envelope(data=data, meta=meta)
