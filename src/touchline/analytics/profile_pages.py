"""A page of customer profiles with their lifetime value: the control plane's live customers
(`control.repos.customers.page`) beside their lifetimes from the event plane, in one call the
API, MCP and dashboard share."""

from __future__ import annotations

from dataclasses import dataclass

from touchline.analytics.lifetime import Lifetime, lifetimes
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
