"""AttributionHub's `POST /contacts` (and its `/timelines` alias): contacts whose sessions match
the filters, each with the summary of their whole journey (needs `customers:read`, heavy)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body, Depends

from touchline.analytics.contact_journeys import contact_journeys
from touchline.api.answers import cached
from touchline.api.auth import HEAVY_COST, Caller, require
from touchline.api.contact_models import (
    NO_CONTACTS,
    ContactRequest,
    ContactsAnswer,
    NoContacts,
    Pagination,
    contact,
)
from touchline.api.contact_pages import ContactPage, email_page, filtered_page
from touchline.domain.contacts import Journey, summarize
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
    if request.emails is not None:
        emails = tuple(request.email_list())
        question: Hashable = ("contacts/emails", emails, request.offset)
        pick: Callable[[], ContactPage] = partial(email_page, caller, emails, request.offset)
    else:
        query = request.contact_filter(caller.profile)  # every filter, the offset, the profile
        question, pick = ("contacts", query), partial(filtered_page, caller, query)
    page, found = await cached(caller, question, partial(_journeys, caller, pick))
    if not page.people:
        return NO_CONTACTS
    now = datetime.now(UTC)  # summaries count days to now: made per answer, never cached
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


def _journeys(
    caller: Caller, pick: Callable[[], ContactPage]
) -> tuple[ContactPage, dict[str, Journey]]:
    """The page's contacts and their whole journeys."""
    page = pick()
    if not page.people:
        return page, {}
    store = caller.runtime.store
    return page, contact_journeys(store, profile_id=caller.profile_id, people=page.ids)


router.add_api_route(
    "/timelines", contacts, methods=["POST"], response_model=ContactsAnswer | NoContacts,
    summary="Contacts (the /timelines alias)",
)  # fmt: skip
