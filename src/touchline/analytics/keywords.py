"""Search Console keywords of a period (the API's `/keywords`): impressions, clicks, CTR and
average position per query over every site, page, country and device (decision 0966).

A report day is stored as midnight UTC of Search Console's own day and taken as is, like ad
spend (decision 0742).
"""

from __future__ import annotations

from dataclasses import dataclass

from touchline.analytics.query import Period
from touchline.analytics.spend import insight_bounds
from touchline.store.base import EventStore, Sql


@dataclass(frozen=True, slots=True)
class KeywordRow:
    keyword: str
    impressions: int
    clicks: int
    ctr: float  # clicks / impressions * 100, one place; 0.0 without impressions
    avg_position: float  # impression-weighted mean position, one place (1 = top)


def keywords_sql(profile_id: str, period: Period, limit: int) -> Sql:
    """Most clicks first, then most impressions, then the query; `limit` is a whole number
    the caller checked (an int, never text)."""
    return Sql(
        f"""SELECT query, sum(impressions) AS shown, sum(clicks) AS clicked,
  sum(position * impressions), avg(position)
FROM search_keywords
WHERE profile_id = $profile AND day >= $day_start AND day < $day_end AND query <> ''
GROUP BY query
ORDER BY clicked DESC, shown DESC, query
LIMIT {int(limit):d}""",
        {"profile": profile_id, **insight_bounds(period)},
    )


def keywords(store: EventStore, *, profile_id: str, period: Period, limit: int) -> list[KeywordRow]:
    return [
        _row(str(query), int(shown or 0), int(clicked or 0), float(weighted or 0.0), mean)
        for query, shown, clicked, weighted, mean in store.query(
            keywords_sql(profile_id, period, limit)
        )
    ]


def _row(query: str, shown: int, clicked: int, weighted: float, mean: float | None) -> KeywordRow:
    # Search Console weighs position by impressions; a row with none falls back to the mean.
    position = weighted / shown if shown else float(mean or 0.0)
    ctr = round(100 * clicked / shown, 1) if shown else 0.0
    return KeywordRow(query, shown, clicked, ctr, round(position, 1))
