"""Erase a customer (DELETE /customer-profiles/{id}, `touchline customers erase`, GDPR): soft
delete and PII scrub in both planes, while history, sessions, conversions and credits stay.

Every identifier value is replaced by an `erased:` token in the control plane and in every
event-plane copy, so the joins that make the customer's journey and credits still hold but
nothing names the person any more (decision 0984). Runs on the event store's writer thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from touchline.control.db import Database
from touchline.control.models.customer import CustomerIdentifier, CustomerProfile, IdentityMerge
from touchline.control.repos import customers
from touchline.domain.identity import IdentifierKind, anonymous_name, erased_value
from touchline.domain.visitors import visitor_key
from touchline.identity.bulk import fresh_id
from touchline.identity.graph import next_identifier_version
from touchline.identity.mirror import sync_identity_map
from touchline.ingest.context import ProfileContext
from touchline.processing.credits import update_credits
from touchline.processing.erasure import MIN_TEXT, ErasurePlan, Scrubbed, scrub_event_plane
from touchline.store.base import EventStore


def erase(
    *,
    database: Database,
    store: EventStore,
    profile: ProfileContext,
    reference: str,
    now: datetime | None = None,
) -> Scrubbed:
    """Erase the live customer `reference` names (id or `ext_<externalId>`), and every
    customer merged into it, in both planes; then credit what the new tokens re-link."""
    moment = now or datetime.now(UTC)
    with database.transaction() as session:
        version = next_identifier_version(session, int(moment.timestamp() * 1_000_000))
        record = customers.by_reference(session, profile_id=profile.profile_id, reference=reference)
        plan = scrub_control_plane(
            session, profile_id=profile.profile_id, customer_id=record.id, now=moment,
            version=version, phone_region=profile.phone_region,
        )  # fmt: skip
    scrubbed = scrub_event_plane(store, plan)
    sync_identity_map(database=database, store=store)
    update_credits(store=store, profiles={profile.profile_id: profile})
    return scrubbed


def scrub_control_plane(
    session: Session,
    *,
    profile_id: str,
    customer_id: str,
    now: datetime,
    version: int,
    phone_region: str | None = None,
) -> ErasurePlan:
    """Tokens for the identifiers, empty person fields, `deleted_at`, scrubbed merge
    snapshots; returns what the event plane must replace."""
    group = _merged_group(session, customer_id)
    texts: set[str] = set()
    names: set[str] = set()
    replaced: dict[tuple[str, str], str] = {}
    visitors: list[int] = []
    for row in session.scalars(
        select(CustomerIdentifier).where(CustomerIdentifier.customer_id.in_([c.id for c in group]))
    ):
        key = visitor_key(profile_id, row.value) if row.kind == IdentifierKind.ANONYMOUS_ID else 0
        if key:
            visitors.append(key)
        replaced[(row.kind, row.value)] = erased_value(row.kind, fresh_id(), visitor_key=key)
        texts.add(row.value)
        row.value, row.version = replaced[(row.kind, row.value)], version
    for customer in group:
        texts.update(_identifying(customer))
        names.update(_names(customer))
        _blank(customer, now)
    _scrub_merges(session, [c.id for c in group], texts | names)
    session.flush()
    return ErasurePlan(
        profile_id=profile_id,
        replaced=replaced,
        visitor_keys=tuple(sorted(set(visitors))),
        texts=_lowered(texts),
        names=_lowered(names),
        phone_region=phone_region,
    )


def _merged_group(session: Session, customer_id: str) -> list[CustomerProfile]:
    """The customer and every customer merged into it, directly or through others."""
    found: dict[str, CustomerProfile] = {}
    frontier = [customer_id]
    while frontier:
        linked = or_(CustomerProfile.id.in_(frontier), CustomerProfile.merged_into_id.in_(frontier))
        rows = list(session.scalars(select(CustomerProfile).where(linked)))
        frontier = [r.id for r in rows if r.id not in found]
        found.update((r.id, r) for r in rows)
    return list(found.values())


def _identifying(customer: CustomerProfile) -> list[str]:
    """Emails, phones, the external id and raw values that failed validation."""
    invalid: Mapping[str, Any] = (customer.attributes or {}).get("invalid", {})
    raw = [v for values in invalid.values() for v in (values if isinstance(values, list) else [])]
    return [str(t) for t in (customer.email, customer.phone, customer.external_id, *raw) if t]


def _names(customer: CustomerProfile) -> list[str]:
    named = [customer.display_name] if (customer.attributes or {}).get("named") else []
    return [str(t) for t in (customer.first_name, customer.last_name, *named) if t]


def _lowered(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({t.lower() for t in texts if len(t) >= MIN_TEXT}))


def _blank(customer: CustomerProfile, now: datetime) -> None:
    customer.email = customer.phone = customer.first_name = customer.last_name = None
    customer.external_id = None
    customer.display_name = anonymous_name(customer.profile_id, customer.id)
    customer.attributes = {}
    customer.deleted_at = customer.updated_at = now


def _scrub_merges(session: Session, ids: list[str], texts: Iterable[str]) -> None:
    """Merge snapshots keep the moved identifier rows (unmerge needs them), not the person."""
    lowered = {t.lower() for t in texts}
    for merge in session.scalars(
        select(IdentityMerge).where(
            or_(IdentityMerge.winner_id.in_(ids), IdentityMerge.loser_id.in_(ids))
        )
    ):
        merge.snapshot = {key: _scrubbed(value, lowered) for key, value in merge.snapshot.items()}


def _scrubbed(value: Any, lowered: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _scrubbed(v, lowered) for k, v in value.items()}
    if isinstance(value, str) and value.lower() in lowered:
        return None
    return value
