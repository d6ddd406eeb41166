"""Search Console keywords on both engines: sums per query over pages, countries and devices,
CTR from the sums, impression-weighted position, the period's days only, the limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from tests.analytics.rows import P, append, row_of

from touchline.analytics.keywords import KeywordRow, keywords
from touchline.analytics.query import Period
from touchline.store.base import EventStore
from touchline.store.record_tables import SEARCH_KEYWORDS

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def keyword(day: date, query: str, clicks: int, shown: int, position: float, **more: Any) -> Any:
    return row_of(SEARCH_KEYWORDS.columns, {
        "profile_id": P, "site": "sc-domain:shop.example",
        "day": datetime.combine(day, time(0), tzinfo=UTC), "query": query, "page": "/",
        "clicks": clicks, "impressions": shown, "position": position}, more)  # fmt: skip


def test_keywords_sum_over_pages_and_weigh_position_by_impressions(
    event_store: EventStore,
) -> None:
    append(event_store, "search_keywords", SEARCH_KEYWORDS.columns, [
        keyword(date(2026, 3, 2), "braces", 3, 100, 2.0),
        keyword(date(2026, 3, 2), "braces", 5, 300, 4.0, page="/b", device="DESKTOP"),
        keyword(date(2026, 3, 3), "implants", 9, 1000, 7.5),
        keyword(date(2026, 3, 3), "never shown", 0, 0, 12.0),
        keyword(date(2026, 4, 1), "braces", 50, 60, 1.0),  # after the period
        keyword(date(2026, 3, 2), "braces", 1, 1, 1.0) | {"profile_id": "someone-else"},
    ])  # fmt: skip
    found = keywords(event_store, profile_id=P, period=MARCH, limit=10)
    assert found == [
        KeywordRow("implants", 1000, 9, 0.9, 7.5),
        KeywordRow("braces", 400, 8, 2.0, 3.5),  # (2 x 100 + 4 x 300) / 400
        KeywordRow("never shown", 0, 0, 0.0, 12.0),
    ]
    assert [k.keyword for k in keywords(event_store, profile_id=P, period=MARCH, limit=1)] == [
        "implants"
    ]
