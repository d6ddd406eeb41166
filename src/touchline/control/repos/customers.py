"""Read side of the identity graph: customer profiles, their identifiers, and merges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from touchline.control.models.customer import CustomerIdentifier, CustomerProfile, IdentityMerge
from touchline.errors import NotFound


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
    identifiers: tuple[tuple[str, str], ...]
    created_at: datetime

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
            "identifiers": [{"kind": k, "value": v} for k, v in self.identifiers],
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class MergeRecord:
    id: str
    profile_id: str
    winner_id: str
    loser_id: str
    reason: str
    created_at: datetime
    unmerged_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "profile_id": self.profile_id,
            "winner_id": self.winner_id,
            "loser_id": self.loser_id,
            "reason": self.reason,
            "created_at": self.created_at.isoformat(),
            "unmerged_at": self.unmerged_at.isoformat() if self.unmerged_at else None,
        }


def get(session: Session, customer_id: str) -> CustomerRecord:
    row = session.get(CustomerProfile, customer_id)
    if row is None:
        raise NotFound(f"customer {customer_id} not found")
    ids = session.execute(
        select(CustomerIdentifier.kind, CustomerIdentifier.value)
        .where(CustomerIdentifier.customer_id == customer_id)
        .order_by(CustomerIdentifier.kind, CustomerIdentifier.value)
    ).all()
    return CustomerRecord(
        id=row.id,
        profile_id=row.profile_id,
        display_name=row.display_name,
        email=row.email,
        phone=row.phone,
        first_name=row.first_name,
        last_name=row.last_name,
        merged_into_id=row.merged_into_id,
        identifiers=tuple((k, v) for k, v in ids),
        created_at=row.created_at,
    )


def find(session: Session, profile_id: str, kind: str, value: str) -> CustomerRecord | None:
    owner = session.scalar(
        select(CustomerIdentifier.customer_id).where(
            CustomerIdentifier.profile_id == profile_id,
            CustomerIdentifier.kind == kind,
            CustomerIdentifier.value == value,
        )
    )
    return None if owner is None else get(session, owner)


def merges(session: Session, profile_id: str) -> list[MergeRecord]:
    rows = session.scalars(
        select(IdentityMerge)
        .where(IdentityMerge.profile_id == profile_id)
        .order_by(IdentityMerge.created_at.desc(), IdentityMerge.id)
    )
    return [
        MergeRecord(
            m.id, m.profile_id, m.winner_id, m.loser_id, m.reason, m.created_at, m.unmerged_at
        )
        for m in rows
    ]
