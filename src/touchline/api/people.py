"""Who the PII lists name: the customers a `search` matches, and the name and email of the
customers on a page, read from the identity graph (control plane) of the caller's profile."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from touchline.api.auth import Caller
from touchline.control.repos import customers


@dataclass(frozen=True, slots=True)
class Named:
    name: str | None
    email: str | None


def matching(caller: Caller, search: str | None) -> tuple[str, ...] | None:
    """Ids of the caller's customers whose name or email contains `search`; None = no search."""
    text = (search or "").strip()
    if not text:
        return None
    with caller.runtime.database.transaction() as session:
        return tuple(customers.search(session, profile_id=caller.profile_id, text=text))


def named(caller: Caller, ids: Iterable[str]) -> dict[str, Named]:
    with caller.runtime.database.transaction() as session:
        found = customers.of_profile(session, profile_id=caller.profile_id, ids=ids)
    return {
        cid: Named(name=record.display_name if record.named else None, email=record.email)
        for cid, record in found.items()
    }
