"""The event's own fields: ids, visitor key, name, title, revenue and reported engaged time."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.domain.visitors import visitor_key
from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.step import DropReason, Row
from touchline.ingest.protocol import EventType, RawEvent, Revenue

CACHE_SIZE: Final = 65536
MONEY_STEP: Final = Decimal("0.0001")  # the event plane stores DECIMAL(18, 4)
MAX_ENGAGED_MS: Final = 86_400_000  # one report never covers more than a day

_visitor_key: Final = lru_cache(maxsize=CACHE_SIZE)(visitor_key)


def revenue_amount(revenue: Revenue) -> str:
    """The amount as a plain decimal string with four places (`19.99` → `19.9900`)."""
    return format(Decimal(repr(revenue.amount)).quantize(MONEY_STEP), "f")


def engaged_ms(payload: dict[str, Any] | None) -> int:
    """Engaged time an engagement event reports (`engaged_ms`, or `engaged_seconds`)."""
    if not payload:
        return 0
    value = payload.get("engaged_ms")
    scale = 1
    if value is None:
        value, scale = payload.get("engaged_seconds"), 1000
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return 0
    return int(min(max(value * scale, 0), MAX_ENGAGED_MS))


def event_step(event: RawEvent, ctx: RequestContext, row: Row) -> DropReason | None:
    if event.type is EventType.RECORD and ctx.origin in FIRST_PARTY_ORIGINS:
        return DropReason.SERVER_ONLY_TYPE
    profile_id = ctx.profile.profile_id
    row["profile_id"] = profile_id
    row["event_id"] = event.event_id
    row["type"] = event.type.value
    row["name"] = event.name or event.type.value
    row["received_at"] = ctx.received_at_us
    row["anonymous_id"] = event.anonymous_id
    row["session_id"] = event.session_id
    row["visitor_key"] = _visitor_key(profile_id, event.anonymous_id)
    identity = event.identity
    row["user_id"] = event.user_id or (identity.user_id or "" if identity else "")
    row["title"] = event.title
    row["origin"] = ctx.origin
    if event.revenue is not None:
        row["revenue"] = revenue_amount(event.revenue)
        row["currency"] = event.revenue.currency.upper()
    if event.type is EventType.ENGAGEMENT:
        row["engaged_ms"] = engaged_ms(event.payload)
    return None
