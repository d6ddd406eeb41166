"""AttributionHub's `POST /contacts` (and its `/timelines` alias): contacts whose sessions match
the filters, each with the summary of their whole journey (needs `customers:read`, heavy)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, Body, Depends

from touchline.analytics.contact_journeys import contact_journeys
from touchline.api.auth import HEAVY_COST, Caller, require
from touchline.api.contact_models import (
    NO_CONTACTS,
    ContactRequest,
    ContactsAnswer,
    NoContacts,
    Pagination,
    contact,
)
from touchline.api.contact_pages import email_page, filtered_page
from touchline.domain.contacts import summarize
from touchline.domain.keys import Scope

router = APIRouter(tags=["contacts"])
Reader = Annotated[Caller, Depends(require(Scope.CUSTOMERS_READ, cost=HEAVY_COST))]
Request = Annotated[ContactRequest | None, Body()]


@router.post(
    "/contacts", response_model=ContactsAnswer | NoContacts, summary="Contacts (AttributionHub)"
)
async def contacts(caller: Reader, body: Request = None) -> ContactsAnswer | NoContacts:
    """Contacts with at least one conversion and a session matching every filter at once (or
    the contacts of `emails`, which disables the filters), each summarized from the whole
    journey. Pass `pagination.records_processed` as the next `offset` while `has_more`."""
    request = body or ContactRequest()
    now = datetime.now(UTC)
    if request.emails is not None:
        emails = request.email_list()
        page = await anyio.to_thread.run_sync(lambda: email_page(caller, emails, request.offset))
    else:
        query = request.contact_filter(caller.profile)
        page = await anyio.to_thread.run_sync(filtered_page, caller, query)
    if not page.people:
        return NO_CONTACTS

    found = await anyio.to_thread.run_sync(
        lambda: contact_journeys(caller.runtime.store, profile_id=caller.profile_id,
                                 people=page.ids)
    )  # fmt: skip
    return ContactsAnswer(
        contacts=[
            contact(email, summarize(found[cid], now=now), found[cid])
            for email, cid in page.people
        ],
        pagination=Pagination(
            records_processed=page.records_processed, total_records=page.total_records,
            has_more=page.records_processed < page.total_records,
        ),
    )  # fmt: skip


router.add_api_route(
    "/timelines", contacts, methods=["POST"], response_model=ContactsAnswer | NoContacts,
    summary="Contacts (the /timelines alias)",
)  # fmt: skip
