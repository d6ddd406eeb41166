"""The identity graph: customer profiles, their identifiers, and the log of merges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from touchline.control.models.base import ID_LENGTH, Base, new_id


class CustomerProfile(Base):
    """An identified person in one profile. Fields are COALESCE-backfilled, never overwritten."""

    __tablename__ = "customer_profiles"
    __table_args__ = (
        Index("ix_customer_profiles_profile_created", "profile_id", "created_at"),
        UniqueConstraint("profile_id", "external_id"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))  # "Teal Falcon" until a name arrives
    # Raw values that failed validation (kept, never matched) and other attributes.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    merged_into_id: Mapped[str | None] = mapped_column(
        ForeignKey("customer_profiles.id"), index=True
    )
    # The caller's own id for the person (the customer profiles API's `externalId`).
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Soft delete: set by an erase, which also scrubs every field above (decision 0984).
    deleted_at: Mapped[datetime | None]


class CustomerIdentifier(Base):
    """One normalized identifier (domain.identity.IdentifierKind) owned by one customer."""

    __tablename__ = "customer_identifiers"
    __table_args__ = (UniqueConstraint("profile_id", "kind", "value"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer_profiles.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    # Epoch µs of the last change (create, or re-point by a merge/unmerge), increasing: the event
    # plane's identity_map mirror pulls the rows changed since the version it has.
    version: Mapped[int] = mapped_column(BigInteger, index=True)


class IdentityMerge(Base):
    """`loser` was merged into `winner`; `snapshot` holds what unmerge needs to restore both."""

    __tablename__ = "identity_merges"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"), index=True)
    winner_id: Mapped[str] = mapped_column(ForeignKey("customer_profiles.id"))
    loser_id: Mapped[str] = mapped_column(ForeignKey("customer_profiles.id"))
    reason: Mapped[str] = mapped_column(String(200))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    unmerged_at: Mapped[datetime | None]
