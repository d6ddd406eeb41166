"""Read side of the identity graph: customer profiles, their identifiers, and merges.

Writes go through `touchline.identity.graph` (resolve, merge, unmerge).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from touchline.control.models.customer import CustomerIdentifier, CustomerProfile, IdentityMerge
from touchline.errors import InvalidParameter, NotFound

NAMED = "named"  # the attributes flag identity/customer.py sets once a real name arrives
DEFAULT_PAGE = 100
MAX_PAGE = 1000
MAX_SEARCH = 10_000  # customers a search may match (the lists filter the event plane by them)


@dataclass(frozen=True, slots=True)
class IdentifierRecord:
    id: str
    customer_id: str
    kind: str
    value: str
    created_at: datetime
    version: int

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    id: str
    profile_id: str
    display_name: str
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    merged_into_id: str | None
    identifiers: tuple[tuple[str, str], ...]  # (kind, value), sorted
    invalid: dict[str, list[str]]  # raw values that failed validation, by identity field
    created_at: datetime
    updated_at: datetime
    named: bool = False  # display_name is a real name, not the anonymous "Color Animal" one
    external_id: str | None = None  # the customer profiles API's externalId
    deleted_at: datetime | None = None  # erased (soft delete + PII scrub)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "profile_id": self.profile_id,
            "display_name": self.display_name,
            "email": self.email,
            "phone": self.phone,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "merged_into_id": self.merged_into_id,
            "external_id": self.external_id,
            "deleted_at": self.deleted_at.isoformat() if self.deleted_at else None,
            "identifiers": [{"kind": k, "value": v} for k, v in self.identifiers],
            "invalid": self.invalid,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class MergeRecord:
    id: str
    profile_id: str
    winner_id: str
    loser_id: str
    reason: str
    moved: int  # identifiers the merge re-pointed
    created_at: datetime
    unmerged_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "profile_id": self.profile_id,
            "winner_id": self.winner_id,
            "loser_id": self.loser_id,
            "reason": self.reason,
            "moved": self.moved,
            "created_at": self.created_at.isoformat(),
            "unmerged_at": self.unmerged_at.isoformat() if self.unmerged_at else None,
        }


def get(session: Session, customer_id: str) -> CustomerRecord:
    row = session.get(CustomerProfile, customer_id)
    if row is None:
        raise NotFound(f"customer {customer_id} not found")
    [record] = _records(session, [row])
    return record


def find(session: Session, profile_id: str, kind: str, value: str) -> CustomerRecord | None:
    """The customer owning an identifier (normalized value), if any."""
    owner = session.scalar(
        select(CustomerIdentifier.customer_id).where(
            CustomerIdentifier.profile_id == profile_id,
            CustomerIdentifier.kind == kind,
            CustomerIdentifier.value == value,
        )
    )
    return None if owner is None else get(session, owner)


def list_for_profile(
    session: Session,
    *,
    profile_id: str,
    limit: int = DEFAULT_PAGE,
    offset: int = 0,
    include_merged: bool = False,
) -> list[CustomerRecord]:
    """A page of the profile's customers, oldest first; merged-away ones only when asked."""
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidParameter(f"limit must be 1..{MAX_PAGE} and offset at least 0")
    query = select(CustomerProfile).where(CustomerProfile.profile_id == profile_id)
    if not include_merged:
        query = query.where(CustomerProfile.merged_into_id.is_(None))
    query = query.order_by(CustomerProfile.created_at, CustomerProfile.id)
    return _records(session, list(session.scalars(query.limit(limit).offset(offset))))


def search(session: Session, *, profile_id: str, text: str) -> list[str]:
    """Ids of the profile's customers whose name or email contains `text` (any case)."""
    query = (
        select(CustomerProfile.id)
        .where(*_live(profile_id), _matching(text))
        .order_by(CustomerProfile.id)
        .limit(MAX_SEARCH)
    )
    return list(session.scalars(query))


def _live(profile_id: str) -> tuple[ColumnElement[bool], ...]:
    """The profile's customers that are neither merged away nor erased."""
    return (
        CustomerProfile.profile_id == profile_id,
        CustomerProfile.merged_into_id.is_(None),
        CustomerProfile.deleted_at.is_(None),
    )


def _matching(text: str) -> ColumnElement[bool]:
    """Name, email, phone or external id contains `text`, any case (LIKE wildcards literal)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    fields = (
        CustomerProfile.display_name, CustomerProfile.email, CustomerProfile.phone,
        CustomerProfile.first_name, CustomerProfile.last_name, CustomerProfile.external_id,
    )  # fmt: skip
    return or_(*(func.lower(f).like(pattern, escape="\\") for f in fields))


def of_profile(
    session: Session, *, profile_id: str, ids: Iterable[str]
) -> dict[str, CustomerRecord]:
    """The profile's customers among `ids`, by id (ids of other profiles are left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.scalars(
        select(CustomerProfile).where(
            CustomerProfile.profile_id == profile_id, CustomerProfile.id.in_(wanted)
        )
    )
    return {r.id: r for r in _records(session, list(rows))}


def identifiers(session: Session, customer_id: str) -> list[IdentifierRecord]:
    rows = session.scalars(
        select(CustomerIdentifier)
        .where(CustomerIdentifier.customer_id == customer_id)
        .order_by(CustomerIdentifier.kind, CustomerIdentifier.value)
    )
    return [
        IdentifierRecord(r.id, r.customer_id, r.kind, r.value, r.created_at, r.version)
        for r in rows
    ]


def merges(session: Session, profile_id: str) -> list[MergeRecord]:
    """The profile's merges, newest first (undone ones included, with `unmerged_at`)."""
    rows = session.scalars(
        select(IdentityMerge)
        .where(IdentityMerge.profile_id == profile_id)
        .order_by(IdentityMerge.created_at.desc(), IdentityMerge.id)
    )
    return [_merge(m) for m in rows]


def merge(session: Session, merge_id: str) -> MergeRecord:
    row = session.get(IdentityMerge, merge_id)
    if row is None:
        raise NotFound(f"merge {merge_id} not found")
    return _merge(row)


def _merge(m: IdentityMerge) -> MergeRecord:
    moved = len(m.snapshot.get("moved", []))
    return MergeRecord(
        m.id, m.profile_id, m.winner_id, m.loser_id, m.reason, moved, m.created_at, m.unmerged_at
    )


def _records(session: Session, rows: Iterable[CustomerProfile]) -> list[CustomerRecord]:
    customers = list(rows)
    owned: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    if customers:
        found = session.execute(
            select(
                CustomerIdentifier.customer_id, CustomerIdentifier.kind, CustomerIdentifier.value
            )
            .where(CustomerIdentifier.customer_id.in_([c.id for c in customers]))
            .order_by(CustomerIdentifier.kind, CustomerIdentifier.value)
        )
        for customer_id, kind, value in found:
            owned[customer_id].append((kind, value))
    return [_record(c, tuple(owned[c.id])) for c in customers]


def _record(row: CustomerProfile, owned: tuple[tuple[str, str], ...]) -> CustomerRecord:
    invalid = row.attributes.get("invalid", {}) if row.attributes else {}
    return CustomerRecord(
        id=row.id,
        profile_id=row.profile_id,
        display_name=row.display_name,
        email=row.email,
        phone=row.phone,
        first_name=row.first_name,
        last_name=row.last_name,
        merged_into_id=row.merged_into_id,
        identifiers=owned,
        invalid={k: v if isinstance(v, list) else [str(v)] for k, v in invalid.items()},
        created_at=row.created_at,
        updated_at=row.updated_at,
        named=bool((row.attributes or {}).get(NAMED)),
        external_id=row.external_id,
        deleted_at=row.deleted_at,
    )


# --- The customer profiles API (decision 0982) -------------------------------------------------

EXTERNAL_PREFIX = "ext_"  # `GET /customer-profiles/ext_<externalId>`


@dataclass(frozen=True, slots=True)
class ProfilePage:
    customers: list[CustomerRecord]
    total: int


def by_reference(session: Session, *, profile_id: str, reference: str) -> CustomerRecord:
    """The live customer `reference` (an id or `ext_<externalId>`) names in this profile: a
    merged-away customer answers as the one it was merged into. Another profile's customer, an
    erased one or an unknown reference → NotFound (the same answer: nothing leaks)."""
    row = _referenced(session, profile_id, reference)
    seen: set[str] = set()
    while row is not None and row.merged_into_id and row.id not in seen:
        seen.add(row.id)
        row = session.get(CustomerProfile, row.merged_into_id)
    if row is None or row.profile_id != profile_id or row.deleted_at is not None:
        raise NotFound("customer profile not found")  # the reference is not echoed
    [record] = _records(session, [row])
    return record


def _referenced(session: Session, profile_id: str, reference: str) -> CustomerProfile | None:
    if reference.startswith(EXTERNAL_PREFIX):
        return session.scalar(
            select(CustomerProfile).where(
                CustomerProfile.profile_id == profile_id,
                CustomerProfile.external_id == reference[len(EXTERNAL_PREFIX) :],
            )
        )
    row = session.get(CustomerProfile, reference)
    return row if row is not None and row.profile_id == profile_id else None


def external_owner(session: Session, *, profile_id: str, external_id: str) -> str | None:
    """The id of the customer holding `external_id` in this profile (merged ones included)."""
    return session.scalar(
        select(CustomerProfile.id).where(
            CustomerProfile.profile_id == profile_id, CustomerProfile.external_id == external_id
        )
    )


def page(
    session: Session,
    *,
    profile_id: str,
    offset: int,
    limit: int,
    newest_first: bool,
    text: str | None = None,
) -> ProfilePage:
    """A page of the profile's live customers by creation time (ties by id), with the total
    matching; `text` keeps those whose name, email, phone or external id contains it."""
    where = [*_live(profile_id)] + ([_matching(text)] if text else [])
    created, ident = CustomerProfile.created_at, CustomerProfile.id
    order = (created.desc(), ident.desc()) if newest_first else (created, ident)
    rows = session.scalars(
        select(CustomerProfile).where(*where).order_by(*order).limit(limit).offset(offset)
    )
    total = session.scalar(select(func.count()).select_from(CustomerProfile).where(*where))
    return ProfilePage(_records(session, list(rows)), int(total or 0))


def count_live(session: Session, *, profile_id: str) -> int:
    query = select(func.count()).select_from(CustomerProfile).where(*_live(profile_id))
    return int(session.scalar(query) or 0)


def live_created(session: Session, *, profile_id: str) -> dict[str, datetime]:
    """Every live customer of the profile with when it was created (for cohorts)."""
    rows = session.execute(
        select(CustomerProfile.id, CustomerProfile.created_at).where(*_live(profile_id))
    )
    return {str(i): created for i, created in rows}
