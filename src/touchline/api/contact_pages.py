"""Which contacts one `/contacts` answer holds: from a list of emails (the caller's customers
owning them, up to 50, walking the list from `offset`) or from the session scan; each paired
with the email the answer shows, read from the identity graph of the caller's profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from touchline.analytics.contacts import PAGE_CONTACTS, ContactFilter, scan
from touchline.api.auth import Caller
from touchline.control.repos import customers
from touchline.domain.identity import IdentifierKind


@dataclass(frozen=True, slots=True)
class ContactPage:
    people: tuple[tuple[str, str], ...]  # (email, customer id), in answer order
    records_processed: int
    total_records: int

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(cid for _, cid in self.people))


def email_page(caller: Caller, emails: Sequence[str], offset: int) -> ContactPage:
    """The customers owning the emails from `offset` on, until 50 are found or the list ends
    (`records_processed` = the list position reached)."""
    people: list[tuple[str, str]] = []
    position = offset
    with caller.runtime.database.transaction() as session:
        while position < len(emails) and len(people) < PAGE_CONTACTS:
            email = emails[position]
            position += 1
            owner = customers.find(session, caller.profile_id, IdentifierKind.EMAIL, email)
            if owner is not None and owner.profile_id == caller.profile_id:
                people.append((email, owner.id))
    return ContactPage(tuple(people), position, len(emails))


def filtered_page(caller: Caller, query: ContactFilter) -> ContactPage:
    page = scan(caller.runtime.store, query)
    with caller.runtime.database.transaction() as session:
        found = customers.of_profile(session, profile_id=caller.profile_id, ids=page.contacts)
    people = tuple(
        (found[cid].email or _first_email(found[cid].identifiers), cid)
        for cid in page.contacts
        if cid in found
    )
    return ContactPage(people, page.records_processed, page.total_records)


def _first_email(identifiers: tuple[tuple[str, str], ...]) -> str:
    return next((value for kind, value in identifiers if kind == IdentifierKind.EMAIL), "")
