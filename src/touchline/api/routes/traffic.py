"""Traffic endpoints: `overview`, `timeseries`, the seven breakdowns, `breakdowns` by any
filter dimension, and `realtime`. Thin: parse, ask the query layer (answers reused while
nothing is written, api/answers.py; `realtime` moves with the clock and is always fresh),
shape."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request

from touchline.analytics.breakdowns import BreakdownRow as Breakdown
from touchline.analytics.breakdowns import breakdown
from touchline.analytics.filters import Dimension
from touchline.analytics.overview import overview
from touchline.analytics.query import Period
from touchline.analytics.realtime import visitors_online
from touchline.analytics.segments import Segment
from touchline.analytics.timeseries import timeseries
from touchline.api import params
from touchline.api.answers import cached, fresh
from touchline.api.auth import Caller, require
from touchline.api.schemas import Envelope, PeriodMeta, ProfileEnvelope, ProfileMeta
from touchline.api.traffic_schemas import (
    BreakdownRow,
    DimensionRow,
    OverviewData,
    Realtime,
    TimeseriesPoint,
    breakdown_row,
    dimension_row,
    overview_data,
    timeseries_point,
)
from touchline.domain.attribution.settings import Model
from touchline.domain.keys import Scope
from touchline.errors import InvalidParameter

router = APIRouter(tags=["traffic"])
Analytics = Annotated[Caller, Depends(require(Scope.ANALYTICS_READ))]
LIMIT_DEFAULT: Final = 10
LIMIT_MAX: Final = 100
# The seven breakdown endpoints (path → dimension).
BREAKDOWNS: Final = {
    "channels": Dimension.CHANNEL,
    "pages": Dimension.PAGE,
    "countries": Dimension.COUNTRY,
    "devices": Dimension.DEVICE,
    "browsers": Dimension.BROWSER,
    "os": Dimension.OS,
    "referrers": Dimension.REFERRER,
}


def _meta(caller: Caller, period: Period) -> PeriodMeta:
    return PeriodMeta(
        date_from=period.date_from, date_to=period.date_to, profile_id=caller.profile_id
    )


@router.get("/overview", response_model=Envelope[OverviewData], summary="Overview KPIs")
async def get_overview(
    request: Request,
    caller: Analytics,
    date_from: str | None = None,
    date_to: str | None = None,
    model: str | None = None,
) -> Envelope[OverviewData]:
    """KPIs of the period and of the previous period of equal length, which ends the day
    before `date_from`. Money is attributed cash (`revenue`) or cash collected
    (`cash_revenue`), in the reporting currency."""
    period = params.period(date_from, date_to, caller.profile)
    segment, chosen = Segment.of(params.filters(request)), params.model(model)
    run = partial(overview, caller.runtime.store, profile_id=caller.profile_id, period=period,
                  segment=segment, model=chosen)  # fmt: skip
    found = await cached(caller, ("overview", period, segment, chosen), run)
    return Envelope(data=overview_data(found), meta=_meta(caller, period))


@router.get(
    "/timeseries", response_model=Envelope[list[TimeseriesPoint]], summary="Daily timeseries"
)
async def get_timeseries(
    request: Request, caller: Analytics, date_from: str | None = None, date_to: str | None = None
) -> Envelope[list[TimeseriesPoint]]:
    """One point per local day: visitors, pageviews, bounces, cash collected and ad spend."""
    period = params.period(date_from, date_to, caller.profile)
    segment = Segment.of(params.filters(request))
    run = partial(timeseries, caller.runtime.store, profile_id=caller.profile_id, period=period,
                  segment=segment)  # fmt: skip
    days = await cached(caller, ("timeseries", period, segment), run)
    return Envelope(data=[timeseries_point(d) for d in days], meta=_meta(caller, period))


BreakdownRoute = Callable[..., Awaitable[Envelope[list[BreakdownRow]]]]


def _breakdown_route(dimension: Dimension) -> BreakdownRoute:
    async def route(
        request: Request,
        caller: Analytics,
        date_from: str | None = None,
        date_to: str | None = None,
        limit: str | None = None,
        model: str | None = None,
    ) -> Envelope[list[BreakdownRow]]:
        period = params.period(date_from, date_to, caller.profile)
        count = params.limit(limit, default=LIMIT_DEFAULT, maximum=LIMIT_MAX)
        segment, chosen = Segment.of(params.filters(request)), params.model(model)
        rows = await _breakdown(caller, period, segment, dimension, chosen, count)
        return Envelope(data=[breakdown_row(r) for r in rows], meta=_meta(caller, period))

    return route


for _path, _dimension in BREAKDOWNS.items():
    router.add_api_route(
        f"/{_path}",
        _breakdown_route(_dimension),
        methods=["GET"],
        response_model=Envelope[list[BreakdownRow]],
        summary=f"Breakdown by {_dimension.value}",
        description=(
            f"Values of `{_dimension.value}` ranked by visitors, with visits, pageviews, bounce "
            "rate, attributed conversions (credit-weighted), conversion rate (conversions / "
            "visitors * 100) and attributed cash revenue. `limit` defaults to 10, at most 100."
        ),
        operation_id=f"breakdown_{_path}",
    )


@router.get(
    "/breakdowns",
    response_model=Envelope[dict[str, list[DimensionRow]]],
    summary="Breakdowns by several dimensions",
)
async def get_breakdowns(
    request: Request,
    caller: Analytics,
    date_from: str | None = None,
    date_to: str | None = None,
    dimensions: str | None = None,
    limit: str | None = None,
    model: str | None = None,
) -> Envelope[dict[str, list[DimensionRow]]]:
    """The breakdown of each of `dimensions` (comma-separated filter dimensions), keyed by
    dimension; rows add `sessions` (= `visits`)."""
    period = params.period(date_from, date_to, caller.profile)
    wanted = _dimensions(dimensions)
    count = params.limit(limit, default=LIMIT_DEFAULT, maximum=LIMIT_MAX)
    segment, chosen = Segment.of(params.filters(request)), params.model(model)
    # Each dimension's answer is the one its own endpoint reuses; they are computed side by
    # side (the engine's small queries leave a core idle part of the time).
    found = await asyncio.gather(
        *(_breakdown(caller, period, segment, d, chosen, count) for d in wanted)
    )
    data = {
        d.value: [dimension_row(r) for r in rows] for d, rows in zip(wanted, found, strict=True)
    }
    return Envelope(data=data, meta=_meta(caller, period))


async def _breakdown(
    caller: Caller,
    period: Period,
    segment: Segment,
    dimension: Dimension,
    model: Model,
    limit: int,
) -> list[Breakdown]:
    """One dimension's rows, shared by its endpoint and `breakdowns?dimensions=`."""
    run = partial(breakdown, caller.runtime.store, profile_id=caller.profile_id, period=period,
                  segment=segment, dimension=dimension, model=model, limit=limit)  # fmt: skip
    return await cached(caller, ("breakdown", dimension, period, segment, model, limit), run)


def _dimensions(text: str | None) -> list[Dimension]:
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    if not names:
        raise InvalidParameter(
            "dimensions is required, e.g. channel,country", parameter="dimensions"
        )
    try:
        return list(dict.fromkeys(Dimension(n) for n in names))
    except ValueError:
        known = ", ".join(d.value for d in Dimension)
        raise InvalidParameter(
            f"dimensions must be among {known}; got {text!r}", parameter="dimensions"
        ) from None


RealtimeCaller = Annotated[Caller, Depends(require(Scope.REALTIME_READ))]


@router.get("/realtime", response_model=ProfileEnvelope[Realtime], summary="Visitors online")
async def get_realtime(caller: RealtimeCaller) -> ProfileEnvelope[Realtime]:
    """Visitors whose browser sent an event in the last five minutes."""
    now = datetime.now(UTC)
    count = await fresh(partial(
        visitors_online, caller.runtime.store, profile_id=caller.profile_id, now=now
    ))  # fmt: skip
    return ProfileEnvelope(
        data=Realtime(visitors_online=count), meta=ProfileMeta(profile_id=caller.profile_id)
    )
