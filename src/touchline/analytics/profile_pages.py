"""Customer profiles read from both planes, in one call the API, MCP and dashboard share: a
page of the control plane's live customers (`control.repos.customers.page`) beside their
lifetimes from the event plane, and the live customers' cohorts and LTV cohorts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from touchline.analytics.cohorts import Cohort, LtvCohort, cohorts, ltv_cohorts
from touchline.analytics.lifetime import CohortGroup, Lifetime, lifetimes
from touchline.control.db import Database
from touchline.control.repos import customers
from touchline.control.repos.customers import CustomerRecord
from touchline.store.base import EventStore


@dataclass(frozen=True, slots=True)
class ProfilesPage:
    customers: list[CustomerRecord]
    lifetimes: dict[str, Lifetime]  # by customer id; absent: no conversion yet
    total: int  # live customers matching, over every page


def profiles_page(
    database: Database,
    store: EventStore,
    *,
    profile_id: str,
    offset: int,
    limit: int,
    newest_first: bool,
    text: str | None = None,
) -> ProfilesPage:
    """Live customers by creation time (`customers.page`), each with its lifetime."""
    with database.read() as session:
        found = customers.page(
            session, profile_id=profile_id, offset=offset, limit=limit,
            newest_first=newest_first, text=text,
        )  # fmt: skip
    people = [c.id for c in found.customers]
    return ProfilesPage(
        found.customers, lifetimes(store, profile_id=profile_id, people=people), found.total
    )


def profile_cohorts(
    database: Database,
    store: EventStore,
    *,
    profile_id: str,
    timezone: str,
    group: CohortGroup,
    start: date | None = None,
    end: date | None = None,
) -> list[Cohort]:
    """The live customers created between `start` and `end` (local days), by `group`."""
    with database.read() as session:
        created = customers.live_created(session, profile_id=profile_id)
    return cohorts(store, profile_id=profile_id, timezone=timezone, created=created,
                   group=group, start=start, end=end)  # fmt: skip


def profile_ltv_cohorts(
    database: Database, store: EventStore, *, profile_id: str, timezone: str, months: int
) -> list[LtvCohort]:
    """The live customers by the month of their first cash payment (`ltv_cohorts`)."""
    with database.read() as session:
        live = set(customers.live_created(session, profile_id=profile_id))
    return ltv_cohorts(store, profile_id=profile_id, timezone=timezone, customers=live,
                       months=months)  # fmt: skip
