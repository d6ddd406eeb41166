"""`/customer-profiles`: the peers' customers API (decision 0982) over the identity graph —
list, count, get (id or `ext_<externalId>`), create-or-upsert, change, erase, cohorts, LTV
cohorts, LTV recompute, journey, attribution and unmerge. Another profile's customer is a 404.
The four heavy reads (cohorts, ltv-cohorts, journey, attribution) are answered from the answer
cache until either plane is written (analytics/cache.py): any write makes the next read fresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final, TypeVar

import anyio
from fastapi import APIRouter, Body, Depends

from touchline.analytics.cohorts import parse_months
from touchline.analytics.cursor import iso_utc
from touchline.analytics.journeys import customer_journey
from touchline.analytics.lifetime import lifetimes, parse_group
from touchline.analytics.profile_pages import (
    profile_cohorts,
    profile_ltv_cohorts,
    profiles_page,
)
from touchline.analytics.query import parse_day, parse_whole_number
from touchline.analytics.timeline import customer_timeline
from touchline.api import params
from touchline.api import profile_models as m
from touchline.api.answers import cached
from touchline.api.auth import HEAVY_COST, Caller, require
from touchline.api.routes.customers import Journey, journey_event
from touchline.api.schemas import CONFLICT_RESPONSES, ProfileEnvelope, ProfileMeta
from touchline.control.repos import customers
from touchline.domain.keys import Scope
from touchline.errors import InvalidParameter
from touchline.identity.customer_profiles import (
    erase_on_writer,
    recalculate_on_writer,
    settle_on_writer,
    unmerge_for,
    update_customer,
    upsert_customer,
)

router = APIRouter(prefix="/customer-profiles", tags=["customer profiles"])
Reader = Annotated[Caller, Depends(require(Scope.CUSTOMERS_READ, cost=HEAVY_COST))]
Counter = Annotated[Caller, Depends(require(Scope.CUSTOMERS_READ))]
Writer = Annotated[Caller, Depends(require(Scope.CUSTOMERS_WRITE))]
Eraser = Annotated[Caller, Depends(require(Scope.CUSTOMERS_WRITE, cost=HEAVY_COST))]
DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 100
MAX_PAGE: Final = 10_000
T = TypeVar("T")


def _meta(caller: Caller) -> ProfileMeta:
    return ProfileMeta(profile_id=caller.profile_id)


async def _on_writer(caller: Caller, job: Callable[[Any], T]) -> T:
    """Run `job` on the event store's one writer (the loader thread), between batches."""
    return await asyncio.wrap_future(caller.runtime.loader.submit(job))


def _profile(caller: Caller, record: customers.CustomerRecord) -> m.CustomerProfile:
    lives = lifetimes(caller.runtime.store, profile_id=caller.profile_id, people=[record.id])
    return m.customer_profile(record, lives.get(record.id), caller.profile.currency)


def _record(caller: Caller, reference: str) -> customers.CustomerRecord:
    with caller.runtime.database.read() as session:
        return customers.by_reference(session, profile_id=caller.profile_id, reference=reference)


@router.get("", response_model=m.ProfileList, summary="List customer profiles")
async def list_profiles(
    caller: Reader,
    page: str | None = None,
    limit: str | None = None,
    sortOrder: str | None = None,  # the spec's parameter name
    search: str | None = None,
) -> m.ProfileList:
    """Live customers (never merged-away or erased ones) by creation time, newest first unless
    `sortOrder=asc`; `search` matches name, email, phone or externalId (any case)."""
    number = parse_whole_number(page, name="page", default=1, minimum=1, maximum=MAX_PAGE)
    size = params.limit(limit, default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
    newest = _newest_first(sortOrder)

    def run() -> m.ProfileList:
        found = profiles_page(
            caller.runtime.database, caller.runtime.store, profile_id=caller.profile_id,
            offset=(number - 1) * size, limit=size, newest_first=newest,
            text=(search or "").strip() or None,
        )  # fmt: skip
        rows = [m.customer_profile(c, found.lifetimes.get(c.id), caller.profile.currency)
                for c in found.customers]  # fmt: skip
        meta = m.PageMeta(
            profile_id=caller.profile_id, page=number, limit=size, total=found.total,
            has_more=(number - 1) * size + len(rows) < found.total,
        )  # fmt: skip
        return m.ProfileList(data=rows, meta=meta)

    return await anyio.to_thread.run_sync(run)


def _newest_first(value: str | None) -> bool:
    if value in (None, "", "desc"):
        return True
    if value == "asc":
        return False
    raise InvalidParameter(f"sortOrder must be asc or desc, got {value!r}", parameter="sortOrder")


@router.get("/count", response_model=ProfileEnvelope[m.Count], summary="Count customer profiles")
async def count(caller: Counter) -> ProfileEnvelope[m.Count]:
    """Live customers of the profile."""

    def run() -> int:
        with caller.runtime.database.read() as session:
            return customers.count_live(session, profile_id=caller.profile_id)

    return ProfileEnvelope(data=m.Count(count=await anyio.to_thread.run_sync(run)),
                           meta=_meta(caller))  # fmt: skip


@router.get("/cohorts", response_model=ProfileEnvelope[m.Cohorts], summary="Customer cohorts")
async def cohorts(
    caller: Reader,
    group_by: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> ProfileEnvelope[m.Cohorts]:
    """Customers by the week or month they were created, or by their first touch's campaign or
    source: how many converted, their conversions and LTV. `start`/`end` (YYYY-MM-DD, local
    days, inclusive) bound the customers' creation."""
    group = parse_group(group_by)
    first, last = _day(start, "start"), _day(end, "end")

    def run() -> m.Cohorts:
        rows = profile_cohorts(
            caller.runtime.database, caller.runtime.store, profile_id=caller.profile_id,
            timezone=caller.profile.timezone, group=group, start=first, end=last,
        )  # fmt: skip
        return m.Cohorts(group_by=group.value, currency=caller.profile.currency,
                         cohorts=[m.cohort_row(r) for r in rows])  # fmt: skip

    answer = await cached(caller, ("customer-profiles/cohorts", group, first, last), run)
    return ProfileEnvelope(data=answer, meta=_meta(caller))


def _day(value: str | None, name: str) -> date | None:
    return parse_day(value, name=name) if value else None


@router.get("/ltv-cohorts", response_model=ProfileEnvelope[m.LtvCohorts], summary="LTV cohorts")
async def ltv_cohorts(caller: Reader, months: str | None = None) -> ProfileEnvelope[m.LtvCohorts]:
    """Customers by the month of their first cash payment, with the cohort's cash (refunds
    included) accumulated by the end of each month from it: `months` 1..36, default 12."""
    count_months = parse_months(months)

    def run() -> m.LtvCohorts:
        rows = profile_ltv_cohorts(
            caller.runtime.database, caller.runtime.store, profile_id=caller.profile_id,
            timezone=caller.profile.timezone, months=count_months,
        )  # fmt: skip
        return m.LtvCohorts(months=count_months, currency=caller.profile.currency,
                            cohorts=[m.ltv_cohort_row(r) for r in rows])  # fmt: skip

    answer = await cached(caller, ("customer-profiles/ltv-cohorts", count_months), run)
    return ProfileEnvelope(data=answer, meta=_meta(caller))


@router.get(
    "/{customer_id}", response_model=ProfileEnvelope[m.CustomerProfile],
    summary="Get a customer profile",
)  # fmt: skip
async def get_profile(caller: Reader, customer_id: str) -> ProfileEnvelope[m.CustomerProfile]:
    """By id or `ext_<externalId>`; a merged-away id answers as the customer it was merged
    into; an erased customer or another profile's is `not_found`."""

    def run() -> m.CustomerProfile:
        return _profile(caller, _record(caller, customer_id))

    return ProfileEnvelope(data=await anyio.to_thread.run_sync(run), meta=_meta(caller))


@router.post(
    "", response_model=ProfileEnvelope[m.Written], summary="Create or upsert",
    responses=CONFLICT_RESPONSES,
)  # fmt: skip
async def create_profile(
    caller: Writer, body: Annotated[m.ProfileInput, Body()]
) -> ProfileEnvelope[m.Written]:
    """Upsert by `externalId`; else an email or phone that already belongs to a customer links
    to that customer (which takes the externalId); else a new customer. An email/phone of a
    customer with another externalId → 409 `duplicate_external_id`."""

    written = await anyio.to_thread.run_sync(
        upsert_customer, caller.runtime.database, caller.profile, body.fields()
    )
    customer = await _settled(caller, written.customer_id)
    return ProfileEnvelope(data=m.Written(created=written.created, customer=customer),
                           meta=_meta(caller))  # fmt: skip


@router.patch(
    "/{customer_id}", response_model=ProfileEnvelope[m.CustomerProfile],
    summary="Change a customer profile", responses=CONFLICT_RESPONSES,
)  # fmt: skip
async def update_profile(
    caller: Writer, customer_id: str, body: Annotated[m.ProfileInput, Body()]
) -> ProfileEnvelope[m.CustomerProfile]:
    """Set the fields given; an externalId another customer holds → 409
    `duplicate_external_id`, another customer's email or phone → 409 `conflict`."""

    changed = await anyio.to_thread.run_sync(
        update_customer, caller.runtime.database, caller.profile, customer_id, body.fields()
    )
    customer = await _settled(caller, changed)
    return ProfileEnvelope(data=customer, meta=_meta(caller))


async def _settled(caller: Caller, customer_id: str) -> m.CustomerProfile:
    """The customer once the write reached the event plane (its identity map mirrored and the
    credits it changed recomputed), as the next report will see it."""
    await _on_writer(caller, settle_on_writer(caller.runtime.database, caller.profile))
    return await anyio.to_thread.run_sync(lambda: _profile(caller, _record(caller, customer_id)))


@router.delete(
    "/{customer_id}", response_model=ProfileEnvelope[m.Erased],
    summary="Erase a customer profile (soft delete + PII scrub)",
)  # fmt: skip
async def delete_profile(caller: Eraser, customer_id: str) -> ProfileEnvelope[m.Erased]:
    """Soft delete and erase: email, phone, names, externalId and every identifier value are
    removed from both planes; history, sessions, conversions and credits stay (GDPR erase)."""
    record = await anyio.to_thread.run_sync(lambda: _record(caller, customer_id))
    scrubbed = await _on_writer(
        caller, erase_on_writer(caller.runtime.database, caller.profile, record.id)
    )
    return ProfileEnvelope(
        data=m.Erased(id=record.id, deleted=True, rows_scrubbed=scrubbed.total),
        meta=_meta(caller),
    )


@router.post(
    "/{customer_id}/recalculate-ltv", response_model=ProfileEnvelope[m.Recalculated],
    summary="Recompute a customer's LTV",
)  # fmt: skip
async def recalculate_ltv(caller: Writer, customer_id: str) -> ProfileEnvelope[m.Recalculated]:
    """Mirrors pending identity changes, re-values the profile's conversions at today's rate
    book (imported rates take effect), re-credits what changed, then sums the LTV afresh."""
    record = await anyio.to_thread.run_sync(lambda: _record(caller, customer_id))
    revalued = await _on_writer(
        caller, recalculate_on_writer(caller.runtime.database, caller.profile)
    )
    customer = await anyio.to_thread.run_sync(lambda: _profile(caller, record))
    data = m.Recalculated(
        id=record.id, ltv=customer.ltv, currency=customer.currency,
        conversion_count=customer.conversion_count, conversions_revalued=revalued,
        calculated_at=iso_utc(datetime.now(UTC)),
    )  # fmt: skip
    return ProfileEnvelope(data=data, meta=_meta(caller))


@router.get(
    "/{customer_id}/journey", response_model=ProfileEnvelope[Journey],
    summary="A customer profile's event timeline",
)  # fmt: skip
async def journey(
    caller: Reader, customer_id: str, offset: str | None = None, limit: str | None = None
) -> ProfileEnvelope[Journey]:
    """The `/customers/{id}/journey` timeline of this customer (404 when not the caller's)."""
    skip = params.offset(offset)
    size = params.limit(limit, default=50, maximum=MAX_LIMIT)

    def run() -> Journey:
        record = _record(caller, customer_id)
        events = customer_timeline(
            caller.runtime.store, profile_id=caller.profile_id, customer_id=record.id
        )
        shown = [journey_event(e) for e in events[skip : skip + size]]
        return Journey(events=shown, total_count=len(events))

    question = ("customer-profiles/journey", customer_id, skip, size)
    return ProfileEnvelope(data=await cached(caller, question, run), meta=_meta(caller))


@router.get(
    "/{customer_id}/attribution", response_model=ProfileEnvelope[m.Attribution],
    summary="A customer profile's conversions and their credits",
)  # fmt: skip
async def attribution(
    caller: Reader, customer_id: str, model: str | None = None
) -> ProfileEnvelope[m.Attribution]:
    """Each conversion of the customer with the credit every touch earned under `model`
    (default last_touch), and the value it attributes in the reporting currency."""
    chosen = params.model(model)

    def run() -> m.Attribution:
        record = _record(caller, customer_id)
        found = customer_journey(
            caller.runtime.store, profile_id=caller.profile_id, customer_id=record.id,
            model=chosen,
        )  # fmt: skip
        return m.attribution(found, caller.profile.currency)

    question = ("customer-profiles/attribution", customer_id, chosen)
    return ProfileEnvelope(data=await cached(caller, question, run), meta=_meta(caller))


@router.post(
    "/{customer_id}/unmerge", response_model=ProfileEnvelope[m.Unmerged],
    summary="Undo a merge of this customer profile", responses=CONFLICT_RESPONSES,
)  # fmt: skip
async def unmerge(
    caller: Writer, customer_id: str, body: Annotated[m.UnmergeInput, Body()]
) -> ProfileEnvelope[m.Unmerged]:
    """Undo merge `merge_id` (see `touchline identity merges`) that this customer took part
    in: both customers come back and their conversions are credited again."""
    done = await anyio.to_thread.run_sync(
        lambda: unmerge_for(caller.runtime.database, caller.profile_id, customer_id, body.merge_id)
    )
    await _on_writer(caller, settle_on_writer(caller.runtime.database, caller.profile))
    return ProfileEnvelope(
        data=m.Unmerged(merge_id=done.id, winner_id=done.winner_id, loser_id=done.loser_id),
        meta=_meta(caller),
    )
