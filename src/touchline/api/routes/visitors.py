"""`GET /visitors`: identified and anonymous visitors of a period, most recently seen first
(cursor pages `last_seen_at|visitor_id`); anonymous ones get their "Color Animal" name."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends

from touchline.analytics.cursor import Cursor, iso_utc
from touchline.analytics.visitors import VisitorPage, VisitorQuery, VisitorRow, visitor_page
from touchline.api import params
from touchline.api.answers import cached
from touchline.api.auth import HEAVY_COST, Caller, require
from touchline.api.people import Named, matching, named
from touchline.api.schemas import ApiModel, Page, PageEnvelope, PeriodMeta
from touchline.domain.identity import anonymous_name
from touchline.domain.keys import Scope

router = APIRouter(tags=["visitors"])
Reader = Annotated[Caller, Depends(require(Scope.VISITORS_READ, cost=HEAVY_COST))]
MAX_LIMIT: Final = 100


class Visitor(ApiModel):
    visitor_id: str
    customer_profile_id: str | None
    name: str
    email: str | None
    country: str | None
    device: str | None
    browser: str | None
    os: str | None
    channel: str | None
    source: str | None
    total_revenue: float
    last_seen_at: str
    session_count: int
    total_pageviews: int
    touch_channels: list[str]


@router.get("/visitors", response_model=PageEnvelope[Visitor], summary="Visitor list")
async def visitors(
    caller: Reader,
    date_from: str | None = None,
    date_to: str | None = None,
    search: str | None = None,
    limit: str | None = None,
    cursor_time: str | None = None,
    cursor_id: str | None = None,
) -> PageEnvelope[Visitor]:
    """Visitors with a visit in the period (PII: needs `visitors:read`), the latest visit's
    details, the period's visits and page views, and the person's lifetime cash. `search`
    matches identified visitors' names and emails."""
    period = params.period(date_from, date_to, caller.profile)
    size = params.limit(limit, default=10, maximum=MAX_LIMIT)
    after = Cursor.parse(cursor_time, cursor_id)

    def run() -> tuple[VisitorPage, dict[str, Named]]:
        people = matching(caller, search)
        query = VisitorQuery(caller.profile_id, period, size, people=people, after=after)
        page = visitor_page(caller.runtime.store, query)
        return page, named(caller, [r.customer_id for r in page.rows if r.customer_id])

    page, names = await cached(caller, ("visitors", period, search, size, after), run)
    rows = [_visitor(caller.profile_id, r, names.get(r.customer_id or "")) for r in page.rows]
    last = page.rows[-1].cursor.text if page.rows and page.has_next else None
    return PageEnvelope(
        data=rows, pagination=Page(has_next=page.has_next, cursor=last),
        meta=PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                        profile_id=caller.profile_id),
    )  # fmt: skip


def _visitor(profile_id: str, row: VisitorRow, who: Named | None) -> Visitor:
    name = who.name if who and who.name else anonymous_name(profile_id, row.visitor_id)
    return Visitor(
        visitor_id=row.visitor_id, customer_profile_id=row.customer_id, name=name,
        email=who.email if who else None, country=row.country or None,
        device=row.device or None, browser=row.browser or None, os=row.os or None,
        channel=row.channel or None, source=row.source or None,
        total_revenue=round(float(row.total_revenue), 2),
        last_seen_at=iso_utc(row.last_seen_at), session_count=row.session_count,
        total_pageviews=row.total_pageviews, touch_channels=list(row.touch_channels),
    )  # fmt: skip
