"""Resolve identifiers to one customer: create, attach, COALESCE-backfill, merge, unmerge.

Priority email > phone > external ids; names never match. When identifiers of two customers
meet, the email's customer wins (CHECKLIST §9 #64) and the merge is logged with what unmerge
needs to restore both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from touchline.control.models.customer import CustomerIdentifier, CustomerProfile, IdentityMerge
from touchline.domain.identity import IdentifierKind, Identifiers, anonymous_name
from touchline.errors import Conflict, NotFound

log = logging.getLogger(__name__)

BACKFILLED = ("email", "phone", "first_name", "last_name")
Key = tuple[str, str]  # (kind, value)


def next_identifier_version(session: Session, clock_us: int) -> int:
    highest = session.scalar(select(func.max(CustomerIdentifier.version))) or 0
    return max(clock_us, int(highest) + 1)


@dataclass(slots=True)
class Resolver:
    """Resolves many `Identifiers` of one profile in one transaction, caching lookups."""

    session: Session
    profile_id: str
    now: datetime
    version: int
    owners: dict[Key, CustomerIdentifier] = field(default_factory=dict)
    written: int = 0
    merges: int = 0

    def preload(self, batch: Iterable[Identifiers]) -> None:
        keys = {(k.value, v) for ids in batch for k, v in ids.pairs} - set(self.owners)
        listed = sorted(keys)
        for start in range(0, len(listed), 500):
            chunk = listed[start : start + 500]
            query = select(CustomerIdentifier).where(
                CustomerIdentifier.profile_id == self.profile_id,
                tuple_(CustomerIdentifier.kind, CustomerIdentifier.value).in_(chunk),
            )
            for row in self.session.scalars(query):
                self.owners[(row.kind, row.value)] = row

    def resolve(self, ids: Identifiers) -> str | None:
        """The customer these identifiers belong to (created or merged as needed)."""
        if not ids:
            return None
        self.preload([ids])
        owned = [(k, self.owners[(k.value, v)].customer_id) for k, v in ids.pairs
                 if (k.value, v) in self.owners]  # fmt: skip
        owner_ids = list(dict.fromkeys(customer_id for _, customer_id in owned))
        if not owner_ids:
            customer = self._create(ids)
        else:
            customer = self._winner(owned)
            for loser_id in owner_ids:
                if loser_id != customer.id:
                    self._merge(customer, self._customer(loser_id), ids)
        self._attach(customer, ids)
        return customer.id

    def _create(self, ids: Identifiers) -> CustomerProfile:
        seed = ids.value(IdentifierKind.ANONYMOUS_ID) or ids.pairs[0][1]
        customer = CustomerProfile(
            profile_id=self.profile_id,
            display_name=anonymous_name(self.profile_id, seed),
            attributes={},
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(customer)
        self.session.flush()
        return customer

    def _customer(self, customer_id: str) -> CustomerProfile:
        customer = self.session.get(CustomerProfile, customer_id)
        if customer is None:
            raise NotFound(f"customer {customer_id} not found")
        return customer

    def _winner(self, owned: Sequence[tuple[IdentifierKind, str]]) -> CustomerProfile:
        """The email's owner, else the phone's, else the oldest customer (§9 #64)."""
        for kind in (IdentifierKind.EMAIL, IdentifierKind.PHONE):
            for owner_kind, customer_id in owned:
                if owner_kind is kind:
                    return self._customer(customer_id)
        customers = [self._customer(c) for c in dict.fromkeys(c for _, c in owned)]
        return min(customers, key=lambda c: (c.created_at, c.id))

    def _attach(self, customer: CustomerProfile, ids: Identifiers) -> None:
        for kind, value in ids.pairs:
            if (kind.value, value) in self.owners:
                continue
            row = CustomerIdentifier(
                profile_id=self.profile_id,
                customer_id=customer.id,
                kind=kind.value,
                value=value,
                created_at=self.now,
                version=self.version,
            )
            self.session.add(row)
            self.owners[(kind.value, value)] = row
            self.written += 1
        fields = {
            "email": ids.value(IdentifierKind.EMAIL),
            "phone": ids.value(IdentifierKind.PHONE),
        }
        fields.update(dict(ids.names))
        _backfill(customer, fields)
        if ids.invalid:
            invalid = dict(customer.attributes.get("invalid", {}))
            invalid.update(dict(ids.invalid))
            customer.attributes = {**customer.attributes, "invalid": invalid}
        customer.updated_at = self.now

    def _merge(self, winner: CustomerProfile, loser: CustomerProfile, ids: Identifiers) -> None:
        moved = [row for row in self.owners.values() if row.customer_id == loser.id]
        moved += list(self.session.scalars(
            select(CustomerIdentifier).where(CustomerIdentifier.customer_id == loser.id)
        ))  # fmt: skip
        moved = list({row.id: row for row in moved}.values())
        snapshot = {
            "moved": sorted(row.id for row in moved),
            "winner_before": _fields(winner),
            "loser_before": _fields(loser),
        }
        for row in moved:
            row.customer_id = winner.id
            row.version = self.version
            self.written += 1
        _backfill(winner, _fields(loser))
        loser.merged_into_id = winner.id
        loser.updated_at = self.now
        reason = "+".join(sorted({k.value for k, _ in ids.pairs} - {"anonymous_id"})) or "visitor"
        self.session.add(
            IdentityMerge(
                profile_id=self.profile_id,
                winner_id=winner.id,
                loser_id=loser.id,
                reason=f"shared {reason}",
                snapshot=snapshot,
                created_at=self.now,
                unmerged_at=None,
            )
        )
        self.merges += 1
        log.info("identity: merged customer %s into %s (%s)", loser.id, winner.id, reason)


def unmerge(session: Session, merge_id: str, *, now: datetime, version: int) -> IdentityMerge:
    """Undo a merge: the moved identifiers go back to the loser, both customers' fields are
    restored. Identifiers the winner gained after the merge stay with the winner."""
    merge = session.get(IdentityMerge, merge_id)
    if merge is None:
        raise NotFound(f"merge {merge_id} not found")
    if merge.unmerged_at is not None:
        raise Conflict(f"merge {merge_id} was already undone")
    winner = session.get(CustomerProfile, merge.winner_id)
    loser = session.get(CustomerProfile, merge.loser_id)
    assert winner is not None and loser is not None  # foreign keys
    moved = set(merge.snapshot.get("moved", []))
    for row in session.scalars(select(CustomerIdentifier).where(CustomerIdentifier.id.in_(moved))):
        if row.customer_id == winner.id:
            row.customer_id = loser.id
            row.version = version
    _restore(
        winner, merge.snapshot.get("winner_before", {}), merge.snapshot.get("loser_before", {})
    )
    loser.merged_into_id = None
    winner.updated_at = loser.updated_at = now
    merge.unmerged_at = now
    return merge


def _fields(customer: CustomerProfile) -> dict[str, str | None]:
    return {name: getattr(customer, name) for name in BACKFILLED}


def _backfill(customer: CustomerProfile, values: dict[str, str | None]) -> None:
    """COALESCE: fill empty fields, never overwrite."""
    for name in BACKFILLED:
        if getattr(customer, name) is None and values.get(name):
            setattr(customer, name, values[name])
    if customer.first_name or customer.last_name:
        full = " ".join(p for p in (customer.first_name, customer.last_name) if p)
        if customer.display_name != full and not customer.attributes.get("named"):
            customer.display_name = full[:200]
            customer.attributes = {**customer.attributes, "named": True}
    elif values.get("name") and not customer.attributes.get("named"):
        customer.display_name = str(values["name"])[:200]
        customer.attributes = {**customer.attributes, "named": True}


def _restore(
    winner: CustomerProfile, before: dict[str, str | None], loser: dict[str, str | None]
) -> None:
    """Empty again the winner's fields that the merge filled from the loser."""
    for name in BACKFILLED:
        if before.get(name) is None and getattr(winner, name) == loser.get(name):
            setattr(winner, name, None)
