"""Resolve a batch of identities of one profile in memory, then write the changes in bulk.

Lookups are batched per identifier kind, new rows get their ids in Python, and the writes are a
handful of executemany statements: that is what makes tens of thousands of identifiers a second
possible on SQLite. Winner rules: email's owner, else phone's, else the oldest (§9 #64).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from touchline.control.models.customer import CustomerIdentifier, CustomerProfile, IdentityMerge
from touchline.domain.identity import (
    PERSON_FIELDS,
    IdentifierKind,
    Identifiers,
    anonymous_name,
    person_fields,
)
from touchline.identity.bulk import fresh_id, insert_rows, update_rows
from touchline.identity.customer import CustomerState

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (kind, value)
CHUNK = 900  # bound parameters per lookup: under SQLite's oldest limit (999)
IDENTIFIERS = CustomerIdentifier.metadata.tables[CustomerIdentifier.__tablename__]
CUSTOMERS = CustomerProfile.metadata.tables[CustomerProfile.__tablename__]
WINNING_KINDS = (IdentifierKind.EMAIL.value, IdentifierKind.PHONE.value)
# Statements compiled once: an expanding IN renders its list far cheaper than literal values.
OWNERS = select(IDENTIFIERS.c.id, IDENTIFIERS.c.value, IDENTIFIERS.c.customer_id).where(
    IDENTIFIERS.c.profile_id == bindparam("profile_id"),
    IDENTIFIERS.c.kind == bindparam("kind"),
    IDENTIFIERS.c.value.in_(bindparam("values", expanding=True)),
)
CUSTOMER_ROWS = select(CUSTOMERS).where(CUSTOMERS.c.id.in_(bindparam("ids", expanding=True)))
OWNED = select(
    IDENTIFIERS.c.id, IDENTIFIERS.c.kind, IDENTIFIERS.c.value, IDENTIFIERS.c.customer_id
).where(IDENTIFIERS.c.customer_id.in_(bindparam("ids", expanding=True)))


@dataclass(slots=True)
class Resolver:
    """One profile's identity graph as far as one batch needs it, plus the batch's changes."""

    session: Session
    profile_id: str
    now: datetime
    version: int
    owners: dict[Key, str] = field(default_factory=dict)  # identifier → customer id
    row_ids: dict[Key, str] = field(default_factory=dict)  # identifier → its row id
    members: defaultdict[str, set[Key]] = field(default_factory=lambda: defaultdict(set))
    customers: dict[str, CustomerState] = field(default_factory=dict)
    absent: set[Key] = field(default_factory=set)  # looked up, not stored
    new_rows: dict[Key, dict[str, Any]] = field(default_factory=dict)
    moved: dict[str, str] = field(default_factory=dict)  # stored identifier row → new owner
    merges: list[dict[str, Any]] = field(default_factory=list)

    def load(self, batch: Iterable[Identifiers]) -> None:
        """Fetch the owners of every identifier in `batch` not seen yet (one query per kind
        and chunk), and those owners' customer rows."""
        wanted: defaultdict[str, set[str]] = defaultdict(set)
        for ids in batch:
            for key in ids.pairs:  # an IdentifierKind is a str: the pair is the key
                if key not in self.owners and key not in self.absent:
                    wanted[key[0]].add(key[1])
        owners: set[str] = set()
        for kind, values in wanted.items():
            listed = sorted(values)
            for start in range(0, len(listed), CHUNK):
                owners |= self._load_kind(kind, listed[start : start + CHUNK])
        self._load_customers(owners - self.customers.keys())

    def _load_kind(self, kind: str, values: Sequence[str]) -> set[str]:
        """Learn the owners of `values`; returns those owners."""
        found = {
            value: (row_id, owner)
            for row_id, value, owner in self.session.execute(
                OWNERS, {"profile_id": self.profile_id, "kind": kind, "values": values}
            )
        }
        for value in values:
            if value in found:
                self._know((kind, value), *found[value])
            else:
                self.absent.add((kind, value))
        return {owner for _, owner in found.values()}

    def _know(self, key: Key, row_id: str, owner: str) -> None:
        self.owners[key] = owner
        self.row_ids[key] = row_id
        self.members[owner].add(key)

    def _load_customers(self, ids: set[str]) -> None:
        """The customers' rows and all their identifiers (a merge moves every one of them)."""
        listed = sorted(ids)
        for start in range(0, len(listed), CHUNK):
            chunk = {"ids": listed[start : start + CHUNK]}
            for row in self.session.execute(CUSTOMER_ROWS, chunk).mappings():
                self.customers[row["id"]] = CustomerState.from_row(row)
            for row_id, kind, value, owner in self.session.execute(OWNED, chunk):
                if (kind, value) not in self.owners:  # else this batch already knows better
                    self._know((kind, value), row_id, owner)
                    self.absent.discard((kind, value))

    def resolve(self, ids: Identifiers) -> str | None:
        """The customer `ids` belong to, creating or merging customers as needed."""
        if not ids:
            return None
        if any(key not in self.owners and key not in self.absent for key in ids.pairs):
            self.load([ids])
        owned = [(key[0], self.owners[key]) for key in ids.pairs if key in self.owners]
        if not owned:
            customer = self._create(ids)
        else:
            customer = self._winner(owned)
            for loser_id in dict.fromkeys(owner for _, owner in owned):
                if loser_id != customer.id:
                    self._merge(customer, self.customers[loser_id], ids)
        self._attach(customer, ids)
        return customer.id

    def current(self, customer_id: str) -> str:
        """Where a customer ended up after this batch's merges."""
        seen = {customer_id}
        while (merged := self.customers[customer_id].merged_into_id) and merged not in seen:
            customer_id = merged
            seen.add(merged)
        return customer_id

    def _create(self, ids: Identifiers) -> CustomerState:
        seed = ids.value(IdentifierKind.ANONYMOUS_ID) or ids.pairs[0][1]
        customer = CustomerState(
            id=fresh_id(),
            profile_id=self.profile_id,
            display_name=anonymous_name(self.profile_id, seed),
            created_at=self.now,
            fields=dict.fromkeys(PERSON_FIELDS),
            order=len(self.customers) + 1,
            new=True,
        )
        self.customers[customer.id] = customer
        return customer

    def _winner(self, owned: Sequence[tuple[str, str]]) -> CustomerState:
        """The customer the others merge into (§9 #64): one holding an email, else one holding
        a phone, else the oldest, whichever identifiers of theirs the event carried. Between
        two holding the same kind, the owner of the event's own email or phone, then the
        oldest."""

        def rank(pair: tuple[str, str]) -> tuple[int, bool, tuple[Any, ...]]:
            owner_kind, owner = pair
            held = {kind for kind, _ in self.members[owner]}
            strongest = next(
                (i for i, kind in enumerate(WINNING_KINDS) if kind in held), len(WINNING_KINDS)
            )
            carried = strongest < len(WINNING_KINDS) and owner_kind == WINNING_KINDS[strongest]
            return strongest, not carried, self.customers[owner].age()

        return self.customers[min(owned, key=rank)[1]]

    def _attach(self, customer: CustomerState, ids: Identifiers) -> None:
        for key in ids.pairs:
            if key in self.owners:
                continue
            row_id = fresh_id()
            self.new_rows[key] = {
                "id": row_id,
                "profile_id": self.profile_id,
                "customer_id": customer.id,
                "kind": str(key[0]),
                "value": key[1],
                "created_at": self.now,
                "version": self.version,
            }
            self.absent.discard(key)
            self._know(key, row_id, customer.id)
            customer.dirty = True
        customer.fill(person_fields(ids), dict(ids.names).get("name"))
        customer.keep_invalid(ids.invalid)

    def _merge(self, winner: CustomerState, loser: CustomerState, ids: Identifiers) -> None:
        moved = sorted(self.members[loser.id])
        snapshot: dict[str, Any] = {
            "moved": sorted(self.row_ids[key] for key in moved),
            "winner_before": winner.snapshot(),
            "loser_before": loser.snapshot(),
        }
        for key in moved:
            self._repoint(key, winner.id)
        winner.fill(loser.fields)
        snapshot["winner_after"] = winner.snapshot()
        loser.merged_into_id = winner.id
        winner.dirty = loser.dirty = True
        kinds = sorted({k.value for k, _ in ids.pairs} - {IdentifierKind.ANONYMOUS_ID.value})
        reason = f"shared {'+'.join(kinds) or 'visitor'}"
        self.merges.append(
            {
                "id": fresh_id(),
                "profile_id": self.profile_id,
                "winner_id": winner.id,
                "loser_id": loser.id,
                "reason": reason,
                "snapshot": snapshot,
                "created_at": self.now,
                "unmerged_at": None,
            }
        )
        log.info("identity: merged customer %s into %s (%s)", loser.id, winner.id, reason)

    def _repoint(self, key: Key, customer_id: str) -> None:
        self.members[self.owners[key]].discard(key)
        self.members[customer_id].add(key)
        self.owners[key] = customer_id
        if key in self.new_rows:
            self.new_rows[key]["customer_id"] = customer_id
        else:
            self.moved[self.row_ids[key]] = customer_id

    def write(self) -> int:
        """Write the batch's changes; returns the identifier rows inserted or re-pointed."""
        customers = self.customers.values()
        created = [c.new_row(self.now) for c in customers if c.new]
        changed = [
            c.row(self.now)
            for c in customers
            if (c.dirty and not c.new) or (c.new and c.merged_into_id)
        ]
        repointed = [
            {"id": row_id, "customer_id": owner, "version": self.version}
            for row_id, owner in self.moved.items()
        ]
        insert_rows(
            self.session, CUSTOMERS, created, same=("profile_id", "created_at", "updated_at")
        )
        insert_rows(
            self.session,
            IDENTIFIERS,
            [self.new_rows[key] for key in sorted(self.new_rows)],  # index order: fewer page hops
            same=("profile_id", "created_at", "version"),
        )
        update_rows(self.session, CUSTOMERS, changed, same=("updated_at",))
        update_rows(self.session, IDENTIFIERS, repointed, same=("version",))
        if self.merges:
            self.session.execute(insert(IdentityMerge), self.merges)
        return len(self.new_rows) + len(repointed)
