"""A customer's event timeline (the REST journey): the first-party events of every linked
visitor (page views, tracked events; engagement, consent, impressions and identify left out)
and the customer's conversions, oldest first. A conversion the tracker sent is its own event
with the goal as `event_type`; a server-side one (payment, CRM) has no web fields; one with a
synthetic touch (an off-site lead) carries that touch's campaign data and `is_synthetic`.
Every query filters by profile: another profile's customer id gives an empty timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from touchline.analytics.campaigns import campaign_names
from touchline.analytics.journeys import FOREVER, PERSON_CONVERSIONS
from touchline.analytics.query import bound_sql
from touchline.analytics.revenue import source_of
from touchline.analytics.touches import MINE, PersonTouch, person_params, person_touches
from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.store.base import EventStore, Sql

SHOWN_TYPES: Final = ("page_view", "track", "revenue", "self_describing")
WEB_FIELDS: Final = (
    "event_id, type, name, ts, url, path, channel, utm_source, referrer_domain, utm_medium,"
    " utm_campaign, device, browser, os, country, city, revenue, currency"
)
PERSON_EVENTS: Final = f"""WITH {MINE}
SELECT {WEB_FIELDS} FROM events
WHERE profile_id = $profile AND list_contains($origins, origin) AND list_contains($types, type)
  AND visitor_key <> 0 AND visitor_key IN (SELECT visitor_key FROM my_visitors)
ORDER BY ts, event_id"""


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One journey event; web fields are None for server-side and synthetic events."""

    key: str  # event or conversion id (ties in time are ordered by it)
    event_type: str
    event_name: str
    event_time: datetime
    url: str | None = None
    path: str | None = None
    channel: str | None = None
    source: str | None = None
    medium: str | None = None
    campaign: str | None = None
    value_amount: Decimal | None = None
    currency: str | None = None
    device: str | None = None
    browser: str | None = None
    os: str | None = None
    country: str | None = None
    city: str | None = None
    is_synthetic: bool = False


def person_events_sql(params: dict[str, Any]) -> Sql:
    extra = {"origins": sorted(FIRST_PARTY_ORIGINS), "types": list(SHOWN_TYPES)}
    return bound_sql(PERSON_EVENTS, params | extra)


def customer_timeline(
    store: EventStore, *, profile_id: str, customer_id: str
) -> tuple[TimelineEvent, ...]:
    """Every event of the customer's journey, oldest first (ties by id)."""
    params = person_params(profile_id, customer_id, until=FOREVER)
    web = {str(r[0]): _web_event(r) for r in store.query(person_events_sql(params))}
    synthetic = {t.conversion_id: t for t in person_touches(store, params) if t.is_synthetic}
    events = dict(web)
    for row in store.query(bound_sql(PERSON_CONVERSIONS, params)):
        cid = str(row[0])
        events[cid] = _conversion_event(row, web.get(cid), synthetic.get(cid))
    names = campaign_names(
        store, profile_id=profile_id, values=[e.campaign for e in events.values() if e.campaign]
    )
    ordered = sorted(events.values(), key=lambda e: (e.event_time, e.key))
    return tuple(_named(e, names) for e in ordered)


def _text(value: Any) -> str | None:
    return str(value) if value else None


def _web_event(row: tuple[Any, ...]) -> TimelineEvent:
    event_id, kind, name, ts, url, path, channel, utm_source, referrer = row[:9]
    medium, campaign, device, browser, os, country, city, revenue, currency = row[9:]
    return TimelineEvent(
        key=str(event_id), event_type=str(kind), event_name=str(name or kind), event_time=ts,
        url=_text(url), path=_text(path), channel=_text(channel),
        source=_text(utm_source) or _text(referrer), medium=_text(medium),
        campaign=_text(campaign), value_amount=None if revenue is None else Decimal(revenue),
        currency=_text(currency) if revenue is not None else None, device=_text(device),
        browser=_text(browser), os=_text(os), country=_text(country), city=_text(city),
    )  # fmt: skip


def _conversion_event(
    row: tuple[Any, ...], web: TimelineEvent | None, touch: PersonTouch | None
) -> TimelineEvent:
    cid, goal, name, _kind, _eligible, ts, amount, currency, _rep, _fx, refund, origin = row
    value = None if amount is None else Decimal(amount)
    unit = _text(currency) if value is not None else None
    event_type = str(name or goal) if refund else str(goal)
    if web is not None:  # the tracker sent it: the page it happened on stays
        return replace(web, event_type=event_type, value_amount=value, currency=unit)
    event = TimelineEvent(
        key=str(cid), event_type=event_type, event_name=str(name or goal), event_time=ts,
        source=_text(source_of(str(origin or ""))), value_amount=value, currency=unit,
    )  # fmt: skip
    if touch is None:
        return event
    return replace(
        event, is_synthetic=True, channel=_text(touch.channel),
        source=_text(touch.source) or event.source, medium=_text(touch.utm_medium),
        campaign=_text(touch.campaign_id or touch.utm_campaign),
    )  # fmt: skip


def _named(event: TimelineEvent, names: Mapping[str, str]) -> TimelineEvent:
    if not event.campaign or event.campaign not in names:
        return event
    return replace(event, campaign=names[event.campaign])
