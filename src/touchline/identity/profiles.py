"""Customer profiles written through the API: create-or-upsert by external id, and changes.

Email and phone go through the identity graph's normalizers and rules: an email (or phone)
that already belongs to a customer links to that customer rather than creating another one;
identifiers of several customers in one write merge them as the graph would (decision 0983).
The caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from touchline.control.models.customer import CustomerIdentifier, CustomerProfile
from touchline.control.repos import customers
from touchline.domain.identity import (
    IdentifierKind,
    Identifiers,
    anonymous_name,
    display_name,
    normalize_email,
    normalize_phone,
)
from touchline.errors import Conflict, DuplicateExternalId, InvalidParameter
from touchline.identity.bulk import fresh_id
from touchline.identity.customer import NAMED
from touchline.identity.graph import next_identifier_version, resolve_batch

MAX_EXTERNAL_ID = 200


@dataclass(frozen=True, slots=True)
class ProfileFields:
    """What a write sets; None leaves a field as it is."""

    external_id: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True, slots=True)
class Written:
    customer_id: str
    created: bool


def next_version(session: Session, now: datetime) -> int:
    """The identifier version of this write (call it first in the transaction)."""
    return next_identifier_version(session, int(now.timestamp() * 1_000_000))


def identifiers(fields: ProfileFields, *, phone_region: str | None) -> Identifiers:
    """The normalized email and phone; a value that is not one → `invalid_parameter`."""
    pairs: list[tuple[IdentifierKind, str]] = []
    if fields.email is not None:
        email = normalize_email(fields.email)
        if email is None:
            raise InvalidParameter("email is not an email address", parameter="email")
        pairs.append((IdentifierKind.EMAIL, email))
    if fields.phone is not None:
        phone = normalize_phone(fields.phone, phone_region)
        if phone is None:
            raise InvalidParameter(
                "phone is not a valid number (use +<country code>…)", parameter="phone"
            )
        pairs.append((IdentifierKind.PHONE, phone))
    return Identifiers(pairs=tuple(pairs))


def upsert(
    session: Session,
    *,
    profile_id: str,
    fields: ProfileFields,
    phone_region: str | None,
    now: datetime,
    version: int,
) -> Written:
    """The customer with `fields.external_id` (updated), else the one owning the email or
    phone (linked: it takes the external id), else a new one."""
    external = _external_id(fields.external_id)
    ids = identifiers(fields, phone_region=phone_region)
    owners = _owners(session, profile_id, ids)
    target = _holder(session, profile_id, external)
    if target is not None:
        return Written(_update(session, target, fields, ids, owners, now, version), False)
    for owner in owners:
        held = session.get(CustomerProfile, owner)
        if held is not None and held.external_id not in (None, external):
            raise DuplicateExternalId(
                f"the {_kinds(ids)} belongs to the customer profile with externalId "
                f"{held.external_id!r}"
            )
    if ids:
        resolution = resolve_batch(
            session, profile_id=profile_id, batch=[ids], now=now, version=version
        )
        customer_id = resolution.customer_id
        assert customer_id is not None  # a non-empty batch always resolves
        row = session.get(CustomerProfile, customer_id)
        assert row is not None
        _apply(row, fields, ids, external, now)
        return Written(row.id, created=not owners)
    row = _new(profile_id, now)
    session.add(row)
    _apply(row, fields, ids, external, now)
    session.flush()
    return Written(row.id, created=True)


def update(
    session: Session,
    *,
    profile_id: str,
    reference: str,
    fields: ProfileFields,
    phone_region: str | None,
    now: datetime,
    version: int,
) -> str:
    """Change the live customer `reference` names; an externalId another customer holds, or
    an email/phone of another customer → 409."""
    record = customers.by_reference(session, profile_id=profile_id, reference=reference)
    external = _external_id(fields.external_id)
    if external is not None:
        holder = customers.external_owner(session, profile_id=profile_id, external_id=external)
        if holder not in (None, record.id):
            raise DuplicateExternalId(f"externalId {external!r} belongs to another customer")
    ids = identifiers(fields, phone_region=phone_region)
    row = session.get(CustomerProfile, record.id)
    assert row is not None
    owners = _owners(session, profile_id, ids)
    return _update(session, row, fields, ids, owners, now, version)


def _update(
    session: Session,
    row: CustomerProfile,
    fields: ProfileFields,
    ids: Identifiers,
    owners: set[str],
    now: datetime,
    version: int,
) -> str:
    others = owners - {row.id}
    if others:
        raise Conflict(f"the {_kinds(ids)} belongs to another customer profile")
    for kind, value in ids.pairs:
        if not _owned(session, row.profile_id, kind, value):
            session.add(
                CustomerIdentifier(
                    id=fresh_id(), profile_id=row.profile_id, customer_id=row.id, kind=str(kind),
                    value=value, created_at=now, version=version,
                )
            )  # fmt: skip
    _apply(row, fields, ids, _external_id(fields.external_id), now)
    session.flush()
    return row.id


def _apply(
    row: CustomerProfile,
    fields: ProfileFields,
    ids: Identifiers,
    external: str | None,
    now: datetime,
) -> None:
    """An API write sets what it names (unlike events, which only backfill)."""
    for kind, value in ids.pairs:
        setattr(row, kind.value, value)
    if fields.first_name is not None:
        row.first_name = fields.first_name.strip()[:200] or None
    if fields.last_name is not None:
        row.last_name = fields.last_name.strip()[:200] or None
    name = display_name({"first_name": row.first_name, "last_name": row.last_name})
    if name and (fields.first_name is not None or fields.last_name is not None):
        row.display_name = name
        row.attributes = {**(row.attributes or {}), NAMED: True}
    if external is not None:
        row.external_id = external
    row.updated_at = now


def _new(profile_id: str, now: datetime) -> CustomerProfile:
    customer_id = fresh_id()
    return CustomerProfile(
        id=customer_id, profile_id=profile_id, display_name=anonymous_name(profile_id, customer_id),
        attributes={}, created_at=now, updated_at=now,
    )  # fmt: skip


def _external_id(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > MAX_EXTERNAL_ID:
        raise InvalidParameter(
            f"externalId must be 1 to {MAX_EXTERNAL_ID} characters", parameter="externalId"
        )
    return text


def _holder(session: Session, profile_id: str, external: str | None) -> CustomerProfile | None:
    """The live customer holding `external` (through merges), if any."""
    if external is None:
        return None
    holder = customers.external_owner(session, profile_id=profile_id, external_id=external)
    if holder is None:
        return None
    record = customers.by_reference(session, profile_id=profile_id, reference=holder)
    return session.get(CustomerProfile, record.id)


def _owners(session: Session, profile_id: str, ids: Identifiers) -> set[str]:
    return {
        owner
        for kind, value in ids.pairs
        if (owner := _owned(session, profile_id, kind, value)) is not None
    }


def _owned(session: Session, profile_id: str, kind: str, value: str) -> str | None:
    return session.scalar(
        select(CustomerIdentifier.customer_id).where(
            CustomerIdentifier.profile_id == profile_id,
            CustomerIdentifier.kind == kind,
            CustomerIdentifier.value == value,
        )
    )


def _kinds(ids: Identifiers) -> str:
    return " or ".join(kind.value for kind, _ in ids.pairs) or "identity"
