"""The customer list: a goal's conversions of a period, newest first, each with its person's
touches up to it (count, distinct channels, last touch, converting visit) and the person's
lifetime count and value of that goal. Keyset pages (`conversion_time desc, id desc`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from touchline.analytics.attribution import money, period_params
from touchline.analytics.cursor import Cursor, cursor_clause
from touchline.analytics.query import EPOCH, Period, bound_sql
from touchline.analytics.touches import PersonTouch, people_touches
from touchline.processing.credit_queries import LINKS, with_person
from touchline.store.base import EventStore, Sql

GOAL_CONVERSIONS: Final = """conv_src AS (
  SELECT conversion_id, ts, revenue_type, reporting_value, visitor_key, identity_kind,
    identity_value
  FROM conversions
  WHERE profile_id = $profile AND goal_key = $goal AND refund_of = ''{period}
)"""

PERSON_TOTALS: Final = f"""WITH {LINKS},
{GOAL_CONVERSIONS.format(period="")},
theirs AS (
  SELECT conversion_id, person, reporting_value FROM ({with_person("conv_src")}) AS c
  WHERE list_contains($people, person)
),
refunds AS (
  SELECT refund_of, sum(reporting_value) AS refunded FROM conversions
  WHERE profile_id = $profile AND refund_of <> '' GROUP BY refund_of
)
SELECT t.person, count(*), sum(t.reporting_value), sum(r.refunded)
FROM theirs t LEFT JOIN refunds r ON r.refund_of = t.conversion_id
GROUP BY t.person"""


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """A page of `goal`'s conversions in `period`; `people` keeps only those customers (a
    search's matches), `after` continues a previous page."""

    profile_id: str
    period: Period
    goal: str
    limit: int
    people: tuple[str, ...] | None = None
    after: Cursor | None = None


@dataclass(frozen=True, slots=True)
class CustomerRow:
    conversion_id: str
    customer_id: str | None  # None when the person is an unidentified visitor
    conversion_time: datetime
    revenue: Decimal | None  # the conversion's value in the reporting currency
    revenue_type: str
    last_touch: PersonTouch | None  # the last touch at or before the conversion
    visit: PersonTouch | None  # the last visit (session) at or before it: country, device
    first_touch_at: datetime | None
    touch_count: int
    touch_channels: tuple[str, ...]  # distinct, in order of first appearance
    conversion_count: int  # the person's conversions of this goal, lifetime
    total_revenue: Decimal  # their reporting values, net of refunds

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.conversion_time, self.conversion_id)

    @property
    def time_to_complete_seconds(self) -> int | None:
        if self.first_touch_at is None:
            return None
        return int((self.conversion_time - self.first_touch_at).total_seconds())


@dataclass(frozen=True, slots=True)
class CustomerPage:
    rows: tuple[CustomerRow, ...]
    has_next: bool


def page_sql(query: CustomerQuery) -> Sql:
    """The page's conversions (one more than `limit`, to know whether another page follows)."""
    params: dict[str, Any] = period_params(query.profile_id, query.period) | {"goal": query.goal}
    where = ["TRUE"]
    if query.people is not None:
        where.append("list_contains($people, person)")
        params["people"] = list(query.people)
    if query.after is not None:
        where.append(cursor_clause("ts", "conversion_id"))
        params |= query.after.params()
    text = f"""WITH {LINKS},
{GOAL_CONVERSIONS.format(period=" AND ts >= $start AND ts < $end")}
SELECT conversion_id, ts, revenue_type, reporting_value, visitor_key, identity_kind,
  identity_value, person
FROM ({with_person("conv_src")}) AS c
WHERE {" AND ".join(where)}
ORDER BY ts DESC, conversion_id DESC
LIMIT {int(query.limit) + 1}"""
    return bound_sql(text, params)


def customer_page(store: EventStore, query: CustomerQuery) -> CustomerPage:
    if query.people == ():
        return CustomerPage((), has_next=False)
    rows = store.query(page_sql(query))
    page, more = rows[: query.limit], len(rows) > query.limit
    people = sorted({str(r[7]) for r in page})
    totals = _person_totals(store, query, people)
    touches = people_touches(
        store, profile_id=query.profile_id, people=people,
        conversions=[str(r[0]) for r in page], until=max((r[1] for r in page), default=EPOCH),
    )  # fmt: skip
    return CustomerPage(tuple(_row(r, touches, totals) for r in page), has_next=more)


def _person_totals(
    store: EventStore, query: CustomerQuery, people: Sequence[str]
) -> dict[str, tuple[int, Decimal]]:
    if not people:
        return {}
    params = {"profile": query.profile_id, "goal": query.goal, "people": list(people)}
    return {
        str(person): (int(count), money(value) + money(refunded))
        for person, count, value, refunded in store.query(bound_sql(PERSON_TOTALS, params))
    }


def _row(
    row: tuple[Any, ...],
    people: dict[str, list[PersonTouch]],
    totals: dict[str, tuple[int, Decimal]],
) -> CustomerRow:
    conversion_id, ts, kind, reporting, visitor, id_kind, id_value, person = row
    touches = [t for t in people.get(str(person), []) if t.ts <= ts]  # up to the conversion
    visits = [t for t in touches if t.touch_type == "session"]
    count, total = totals.get(str(person), (0, Decimal(0)))
    return CustomerRow(
        conversion_id=str(conversion_id),
        customer_id=None if _anonymous(str(person), int(visitor or 0), id_kind, id_value)
        else str(person),
        conversion_time=ts,
        revenue=None if reporting is None else Decimal(reporting),
        revenue_type=str(kind),
        last_touch=touches[-1] if touches else None,
        visit=visits[-1] if visits else None,
        first_touch_at=touches[0].ts if touches else None,
        touch_count=len(touches),
        touch_channels=tuple(dict.fromkeys(t.channel for t in touches if t.channel)),
        conversion_count=count,
        total_revenue=total,
    )  # fmt: skip


def _anonymous(person: str, visitor: int, id_kind: Any, id_value: Any) -> bool:
    """A person that is not a customer: with_person fell back to the visitor or identifier."""
    return person in {f"v{visitor}", f"{id_kind or ''}:{id_value or ''}"}
