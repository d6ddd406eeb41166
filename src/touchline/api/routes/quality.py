"""`GET /quality`: how much marketing data the period's attribution-eligible conversions
reached us with (full UTMs, some UTMs, only a click id, nothing)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends

from touchline.analytics.quality import tracking_quality
from touchline.api import params
from touchline.api.answers import cached
from touchline.api.auth import Caller, require
from touchline.api.schemas import ApiModel, Envelope, PeriodMeta
from touchline.domain.keys import Scope

router = APIRouter(tags=["quality"])


class Quality(ApiModel):
    total_events: int  # attribution-eligible conversions (decision 0965)
    with_full_utms: int
    with_partial_utms: int  # so the four counts add up to total_events
    with_fbclid_only: int  # any click id, no UTM (CHECKLIST §9 #41)
    with_no_tracking: int
    coverage_percent: float  # (total - no tracking) / total * 100, two places


@router.get("/quality", response_model=Envelope[Quality], summary="Tracking quality")
async def quality(
    caller: Annotated[Caller, Depends(require(Scope.ANALYTICS_READ))],
    date_from: str | None = None,
    date_to: str | None = None,
) -> Envelope[Quality]:
    """Attribution data quality of the period's conversions."""
    period = params.period(date_from, date_to, caller.profile)
    run = partial(tracking_quality, caller.runtime.store, profile_id=caller.profile_id,
                  period=period)  # fmt: skip
    found = await cached(caller, ("quality", period), run)
    data = Quality(
        total_events=found.total_events, with_full_utms=found.with_full_utms,
        with_partial_utms=found.with_partial_utms, with_fbclid_only=found.with_fbclid_only,
        with_no_tracking=found.with_no_tracking, coverage_percent=found.coverage_percent,
    )  # fmt: skip
    meta = PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                      profile_id=caller.profile_id)  # fmt: skip
    return Envelope(data=data, meta=meta)
