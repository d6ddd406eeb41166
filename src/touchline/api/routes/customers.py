"""`GET /customers` (a goal's converters, cursor pages) and `GET /customers/{id}/journey` (the
customer's event timeline, offset pages; another profile's id answers empty data)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Final

from fastapi import APIRouter, Depends

from touchline.analytics.cursor import Cursor, iso_utc
from touchline.analytics.customers import CustomerPage, CustomerQuery, CustomerRow, customer_page
from touchline.analytics.timeline import TimelineEvent, customer_timeline
from touchline.api import params
from touchline.api.answers import cached
from touchline.api.auth import HEAVY_COST, Caller, require
from touchline.api.people import Named, matching, named
from touchline.api.schemas import (
    ApiModel,
    Page,
    PageEnvelope,
    PeriodMeta,
    ProfileEnvelope,
    ProfileMeta,
)
from touchline.domain.keys import Scope
from touchline.errors import InvalidParameter

router = APIRouter(tags=["customers"])
Reader = Annotated[Caller, Depends(require(Scope.CUSTOMERS_READ, cost=HEAVY_COST))]
JOURNEY_DEFAULT: Final = 50
MAX_LIMIT: Final = 100


class Customer(ApiModel):
    conversion_id: str
    customer_profile_id: str | None
    name: str | None
    email: str | None
    country: str | None
    device: str | None
    channel: str | None
    source: str | None
    revenue: float | None
    revenue_type: str
    conversion_time: str
    time_to_complete_seconds: int | None
    touch_count: int
    touch_channels: list[str]
    conversion_count: int
    total_revenue: float


class JourneyEvent(ApiModel):
    event_type: str
    event_name: str
    event_time: str
    url: str | None
    path: str | None
    channel: str | None
    source: str | None
    medium: str | None
    campaign: str | None
    value_amount: float | None
    currency: str | None
    device: str | None
    browser: str | None
    os: str | None
    country: str | None
    city: str | None
    is_synthetic: bool


class Journey(ApiModel):
    events: list[JourneyEvent]
    total_count: int


@router.get("/customers", response_model=PageEnvelope[Customer], summary="Customer list")
async def customers(
    caller: Reader,
    date_from: str | None = None,
    date_to: str | None = None,
    goal: str | None = None,
    search: str | None = None,
    limit: str | None = None,
    cursor_time: str | None = None,
    cursor_id: str | None = None,
) -> PageEnvelope[Customer]:
    """The conversions of `goal` in the period, newest first, with who converted (PII: needs
    `customers:read`), the last touch before it and the customer's lifetime totals of that goal.
    Follow `pagination.cursor` (split on `|` into `cursor_time` and `cursor_id`)."""
    period = params.period(date_from, date_to, caller.profile)
    if not goal:
        raise InvalidParameter("goal is required (e.g. payment_received)", parameter="goal")
    size = params.limit(limit, default=10, maximum=MAX_LIMIT)
    after = Cursor.parse(cursor_time, cursor_id)

    def run() -> tuple[CustomerPage, dict[str, Named]]:
        people = matching(caller, search)
        query = CustomerQuery(caller.profile_id, period, goal, size, people=people, after=after)
        page = customer_page(caller.runtime.store, query)
        return page, named(caller, [r.customer_id for r in page.rows if r.customer_id])

    question = ("customers", period, goal, search, size, after)
    page, names = await cached(caller, question, run)
    rows = [_customer(r, names.get(r.customer_id or "")) for r in page.rows]
    last = page.rows[-1].cursor.text if page.rows and page.has_next else None
    return PageEnvelope(
        data=rows, pagination=Page(has_next=page.has_next, cursor=last),
        meta=PeriodMeta(date_from=period.date_from, date_to=period.date_to,
                        profile_id=caller.profile_id),
    )  # fmt: skip


def _customer(row: CustomerRow, who: Named | None) -> Customer:
    visit, last = row.visit, row.last_touch
    return Customer(
        conversion_id=row.conversion_id, customer_profile_id=row.customer_id,
        name=who.name if who else None, email=who.email if who else None,
        country=(visit.country or None) if visit else None,
        device=(visit.device or None) if visit else None,
        channel=(last.channel or None) if last else None,
        source=(last.source or None) if last else None,
        revenue=None if row.revenue is None else round(float(row.revenue), 2),
        revenue_type=row.revenue_type, conversion_time=iso_utc(row.conversion_time),
        time_to_complete_seconds=row.time_to_complete_seconds, touch_count=row.touch_count,
        touch_channels=list(row.touch_channels), conversion_count=row.conversion_count,
        total_revenue=round(float(row.total_revenue), 2),
    )  # fmt: skip


@router.get(
    "/customers/{customer_id}/journey",
    response_model=ProfileEnvelope[Journey],
    summary="Customer journey",
)
async def journey(
    caller: Reader, customer_id: str, offset: str | None = None, limit: str | None = None
) -> ProfileEnvelope[Journey]:
    """Every event of the customer's journey, oldest first (`offset`/`limit` pages;
    `total_count` is the whole journey's). A customer of another profile gives empty data."""
    skip = params.offset(offset)
    size = params.limit(limit, default=JOURNEY_DEFAULT, maximum=MAX_LIMIT)
    run = partial(customer_timeline, caller.runtime.store, profile_id=caller.profile_id,
                  customer_id=customer_id)  # fmt: skip
    events = await cached(caller, ("customers/journey", customer_id), run)  # pages cut below
    shown = [journey_event(e) for e in events[skip : skip + size]]
    return ProfileEnvelope(
        data=Journey(events=shown, total_count=len(events)),
        meta=ProfileMeta(profile_id=caller.profile_id),
    )


def journey_event(event: TimelineEvent) -> JourneyEvent:
    amount = event.value_amount
    return JourneyEvent(
        event_type=event.event_type, event_name=event.event_name,
        event_time=iso_utc(event.event_time), url=event.url, path=event.path,
        channel=event.channel, source=event.source, medium=event.medium,
        campaign=event.campaign, value_amount=None if amount is None else float(amount),
        currency=event.currency, device=event.device, browser=event.browser, os=event.os,
        country=event.country, city=event.city, is_synthetic=event.is_synthetic,
    )  # fmt: skip
