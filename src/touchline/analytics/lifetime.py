"""Customers' lifetime value and cohorts, computed from conversions (never stored): a
customer's LTV is the reporting-currency value of their cash conversions, refunds included
(negative); people are resolved exactly as the credits engine resolves them (decision 0985).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from touchline.analytics.attribution import money
from touchline.analytics.query import bound_sql, zone
from touchline.errors import InvalidParameter
from touchline.processing.credit_queries import LINKS, with_person
from touchline.processing.session_queries import IS_VISIT
from touchline.store.base import EventStore

CASH: Final = "cash"
PERSON_CONVERSIONS: Final = f"""WITH {LINKS},
conv_src AS (
  SELECT conversion_id, ts, revenue_type, reporting_value, refund_of, visitor_key,
    identity_kind, identity_value
  FROM conversions WHERE profile_id = $profile
)
SELECT person, conversion_id, ts, revenue_type, reporting_value, refund_of
FROM ({with_person("conv_src")}) AS c
WHERE {{people}}
ORDER BY person, ts, conversion_id"""

PERSON_TOUCHES: Final = f"""WITH {LINKS},
touch_src AS (
  SELECT started_at AS ts, CAST(session_key AS VARCHAR) AS touch_id, visitor_key,
    '' AS identity_kind, '' AS identity_value, utm_campaign, utm_source, referrer_domain
  FROM sessions WHERE profile_id = $profile AND {IS_VISIT}
  UNION ALL
  SELECT ts, CAST(touch_key AS VARCHAR) AS touch_id, visitor_key, identity_kind, identity_value,
    utm_campaign, utm_source, '' AS referrer_domain
  FROM touch_rows WHERE profile_id = $profile
)
SELECT person, ts, touch_id, utm_campaign, utm_source, referrer_domain
FROM ({with_person("touch_src")}) AS t"""

NO_CAMPAIGN: Final = "(none)"
DIRECT: Final = "(direct)"


class CohortGroup(StrEnum):
    WEEK = "week"
    MONTH = "month"
    CAMPAIGN = "campaign"
    SOURCE = "source"


def parse_group(value: str | None) -> CohortGroup:
    try:
        return CohortGroup(value or "")
    except ValueError:
        choices = ", ".join(g.value for g in CohortGroup)
        raise InvalidParameter(
            f"group_by must be one of {choices}, got {value!r}", parameter="group_by"
        ) from None


@dataclass(frozen=True, slots=True)
class Payment:
    conversion_id: str
    ts: datetime
    revenue_type: str
    reporting_value: Decimal | None
    refund_of: str


@dataclass(frozen=True, slots=True)
class Lifetime:
    conversions: int  # conversions of every goal, refunds not counted
    ltv: Decimal  # cash in the reporting currency, net of refunds
    first_conversion_at: datetime | None
    last_conversion_at: datetime | None


NOTHING: Final = Lifetime(0, Decimal(0), None, None)


def person_conversions(
    store: EventStore, *, profile_id: str, people: Iterable[str] | None = None
) -> dict[str, list[Payment]]:
    """Each person's conversions oldest first; every person when `people` is None."""
    params: dict[str, object] = {"profile": profile_id}
    where = "TRUE"
    if people is not None:
        params["people"] = sorted(set(people))
        where = "list_contains($people, person)"
        if not params["people"]:
            return {}
    out: dict[str, list[Payment]] = defaultdict(list)
    for person, cid, ts, kind, value, refund in store.query(
        bound_sql(PERSON_CONVERSIONS.replace("{people}", where), dict(params))
    ):
        reporting = None if value is None else money(value)
        out[str(person)].append(Payment(str(cid), ts, str(kind), reporting, str(refund or "")))
    return dict(out)


def lifetime(payments: Iterable[Payment]) -> Lifetime:
    rows = list(payments)
    kept = [p for p in rows if not p.refund_of]
    cash = [p.reporting_value for p in rows if p.revenue_type == CASH and p.reporting_value]
    return Lifetime(
        conversions=len(kept),
        ltv=sum(cash, Decimal(0)),
        first_conversion_at=kept[0].ts if kept else None,
        last_conversion_at=kept[-1].ts if kept else None,
    )


def lifetimes(store: EventStore, *, profile_id: str, people: Iterable[str]) -> dict[str, Lifetime]:
    found = person_conversions(store, profile_id=profile_id, people=people)
    return {person: lifetime(rows) for person, rows in found.items()}


@dataclass(frozen=True, slots=True)
class FirstTouch:
    ts: datetime
    campaign: str
    source: str


def first_touches(store: EventStore, *, profile_id: str) -> dict[str, FirstTouch]:
    """Every person's first touch (ties by touch key)."""
    best: dict[str, tuple[datetime, str, FirstTouch]] = {}
    for person, ts, touch_id, campaign, source, referrer in store.query(
        bound_sql(PERSON_TOUCHES, {"profile": profile_id})
    ):
        touch = FirstTouch(ts, str(campaign or "") or NO_CAMPAIGN,
                           str(source or "") or str(referrer or "") or DIRECT)  # fmt: skip
        seen = best.get(str(person))
        if seen is None or (ts, str(touch_id)) < seen[:2]:
            best[str(person)] = (ts, str(touch_id), touch)
    return {person: entry[2] for person, entry in best.items()}


def local_day(instant: datetime, timezone: str) -> date:
    return instant.astimezone(zone(timezone)).date()


def cohort_key(group: CohortGroup, created: date, touch: FirstTouch | None) -> str:
    if group is CohortGroup.WEEK:
        return (created - timedelta(days=created.weekday())).isoformat()  # the ISO week's Monday
    if group is CohortGroup.MONTH:
        return created.strftime("%Y-%m")
    if touch is None:
        return NO_CAMPAIGN if group is CohortGroup.CAMPAIGN else DIRECT
    return touch.campaign if group is CohortGroup.CAMPAIGN else touch.source


def group_lifetimes(
    keys: Mapping[str, str], lives: Mapping[str, Lifetime]
) -> dict[str, list[Lifetime]]:
    """Customers' lifetimes by cohort key (customers without conversions count too)."""
    out: dict[str, list[Lifetime]] = defaultdict(list)
    for customer, key in keys.items():
        out[key].append(lives.get(customer, NOTHING))
    return dict(out)
