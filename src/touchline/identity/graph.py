"""The identity graph's service: resolve identities to customers (create, attach, backfill,
merge) and undo a merge. The caller owns the transaction; see docs/identity.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from touchline.control.models.customer import CustomerIdentifier, CustomerProfile, IdentityMerge
from touchline.domain.identity import PERSON_FIELDS, Identifiers
from touchline.errors import Conflict, NotFound
from touchline.identity.customer import NAMED
from touchline.identity.resolver import CHUNK, Resolver
from touchline.ingest.context import ProfileContext

log = logging.getLogger(__name__)

ATTEMPTS = 3  # a lost race is retried against the winner's committed rows
# Serializes identifier writers on PostgreSQL so versions are handed out in commit order (the
# mirror never passes a version a slower transaction is still about to commit). SQLite's
# BEGIN IMMEDIATE already serializes writers.
_VERSION_LOCK = 7_469_201_885


@dataclass(frozen=True, slots=True)
class Resolution:
    customer_ids: tuple[str | None, ...]  # per input, after every merge of the batch
    written: int  # identifier rows inserted or re-pointed
    created: int  # new customers
    merge_ids: tuple[str, ...]

    @property
    def customer_id(self) -> str | None:
        return self.customer_ids[0] if self.customer_ids else None


def next_identifier_version(session: Session, clock_us: int) -> int:
    """Above every stored identifier version even if the clock stepped back; call it first in
    the writing transaction (it takes the writers' lock on PostgreSQL)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _VERSION_LOCK})
    highest = session.scalar(select(func.max(CustomerIdentifier.version))) or 0
    return max(clock_us, int(highest) + 1)


def resolve(
    session: Session,
    *,
    profile: ProfileContext,
    identifiers: Identifiers,
    now: datetime,
    version: int,
) -> Resolution:
    """Resolve one event's identifiers (see `resolve_batch`)."""
    return resolve_batch(
        session, profile_id=profile.profile_id, batch=[identifiers], now=now, version=version
    )


def resolve_batch(
    session: Session,
    *,
    profile_id: str,
    batch: Sequence[Identifiers],
    now: datetime,
    version: int,
) -> Resolution:
    """Resolve `batch` in order inside a savepoint. Losing a race (another writer inserted one
    of the identifiers meanwhile) rolls the savepoint back and resolves again, now seeing the
    other writer's rows: the identifier ends with one customer, never an error."""
    for attempt in range(1, ATTEMPTS + 1):
        resolver = Resolver(session, profile_id, now, version)
        try:
            with session.begin_nested():
                resolver.load(batch)
                owners = [resolver.resolve(ids) for ids in batch]
                written = resolver.write()
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            log.info("identity: lost a race on an identifier, resolving again (%d)", attempt)
            continue
        return Resolution(
            customer_ids=tuple(owner and resolver.current(owner) for owner in owners),
            written=written,
            created=sum(c.new for c in resolver.customers.values()),
            merge_ids=tuple(m["id"] for m in resolver.merges),
        )
    raise AssertionError("unreachable")  # the last attempt returns or raises


def unmerge(session: Session, merge_id: str, *, now: datetime, version: int) -> IdentityMerge:
    """Undo a merge: the identifiers it moved go back to the loser (from the winner, or from
    whoever absorbed the winner since), and the winner's fields it changed are restored unless
    they changed again. Identifiers the winner gained after the merge stay with the winner."""
    merge = session.get(IdentityMerge, merge_id)
    if merge is None:
        raise NotFound(f"merge {merge_id} not found")
    if merge.unmerged_at is not None:
        raise Conflict(f"merge {merge_id} was already undone")
    winner = _customer(session, merge.winner_id)
    loser = _customer(session, merge.loser_id)
    holders = _absorbers(session, winner)
    moved: list[str] = list(merge.snapshot.get("moved", []))
    for start in range(0, len(moved), CHUNK):
        chunk = moved[start : start + CHUNK]
        for row in session.scalars(
            select(CustomerIdentifier).where(CustomerIdentifier.id.in_(chunk))
        ):
            if row.customer_id in holders:
                row.customer_id, row.version = loser.id, version
    _restore(winner, merge.snapshot)
    loser.merged_into_id = None
    winner.updated_at = loser.updated_at = now
    merge.unmerged_at = now
    session.flush()
    return merge


def _customer(session: Session, customer_id: str) -> CustomerProfile:
    customer = session.get(CustomerProfile, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def _absorbers(session: Session, customer: CustomerProfile) -> set[str]:
    """The customer and every customer it was merged into since (a chain)."""
    chain = {customer.id}
    current: CustomerProfile | None = customer
    while current is not None and current.merged_into_id and current.merged_into_id not in chain:
        chain.add(current.merged_into_id)
        current = session.get(CustomerProfile, current.merged_into_id)
    return chain


def _restore(winner: CustomerProfile, snapshot: dict[str, Any]) -> None:
    """Put back each winner field the merge changed, unless something changed it since."""
    before: dict[str, Any] = snapshot.get("winner_before", {})
    after: dict[str, Any] = snapshot.get("winner_after", {})
    for name in (*PERSON_FIELDS, "display_name"):
        if name in before and before[name] != after.get(name) == getattr(winner, name):
            setattr(winner, name, before[name])
            if name == "display_name":
                winner.attributes = {**winner.attributes, NAMED: bool(before.get(NAMED))}
