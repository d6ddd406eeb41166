"""Tracking keys: create, list, revoke, and resolve a key to its profile for the collect path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from touchline.control.models.profile import Profile
from touchline.control.models.tracking_key import TrackingKey
from touchline.control.repos import audit, profiles
from touchline.domain import keys
from touchline.errors import Conflict, InvalidParameter, NotFound
from touchline.ingest.context import ProfileContext


@dataclass(frozen=True, slots=True)
class TrackingKeyRecord:
    id: str
    profile_id: str
    key: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def create(
    session: Session,
    *,
    profile_id: str,
    key: str | None = None,
    actor: str,
    now: datetime | None = None,
) -> TrackingKeyRecord:
    """Issues `trk_live_…`; `key` adopts an existing `trk_…` key (e.g. one already embedded in
    a site's snippet) instead. Raises `Conflict` when that key is taken."""
    now = now or datetime.now(UTC)
    profile = profiles.get(session, profile_id)
    if key is not None and not keys.is_tracking_key(key):
        raise InvalidParameter(
            "a tracking key is trk_ followed by 8 to 120 letters, digits, _ or -"
        )
    value = key or keys.new_tracking_key()
    if session.scalar(select(TrackingKey.id).where(TrackingKey.key == value)) is not None:
        raise Conflict("that tracking key is already in use")
    row = TrackingKey(profile_id=profile.id, key=value, created_at=now)
    session.add(row)
    session.flush()
    _audit(session, audit.AuditAction.TRACKING_KEY_CREATED, row, profile.workspace_id, actor, now)
    return _record(row)


def list_for_profile(session: Session, *, profile_id: str) -> list[TrackingKeyRecord]:
    profiles.get(session, profile_id)
    query = (
        select(TrackingKey)
        .where(TrackingKey.profile_id == profile_id)
        .order_by(TrackingKey.created_at, TrackingKey.id)
    )
    return [_record(row) for row in session.scalars(query)]


def revoke(
    session: Session, *, key_id: str, actor: str, now: datetime | None = None
) -> TrackingKeyRecord:
    """`key_id` is the record id or the key itself. Revoking twice changes nothing."""
    now = now or datetime.now(UTC)
    column = TrackingKey.key if key_id.startswith(keys.TRACKING_KEY_FAMILY) else TrackingKey.id
    row = session.scalar(select(TrackingKey).where(column == key_id))
    if row is None:
        raise NotFound(f"tracking key {key_id} not found")
    if row.revoked_at is None:
        row.revoked_at = now
        workspace_id = profiles.get(session, row.profile_id).workspace_id
        _audit(session, audit.AuditAction.TRACKING_KEY_REVOKED, row, workspace_id, actor, now)
    return _record(row)


def resolve_tracking_key(session: Session, key: str) -> ProfileContext | None:
    """The profile an active `trk_…` key sends to, or None for an unknown or revoked key."""
    if not keys.is_tracking_key(key):
        return None
    query = (
        select(Profile)
        .join(TrackingKey, TrackingKey.profile_id == Profile.id)
        .where(TrackingKey.key == key, TrackingKey.revoked_at.is_(None))
    )
    row = session.scalar(query)
    return None if row is None else profiles.record_of(row).context()


def _audit(
    session: Session,
    action: audit.AuditAction,
    row: TrackingKey,
    workspace_id: str,
    actor: str,
    now: datetime,
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type="tracking_key",
        target_id=row.id,
        workspace_id=workspace_id,
        details={"profile_id": row.profile_id, "key": row.key},
        now=now,
    )


def _record(row: TrackingKey) -> TrackingKeyRecord:
    return TrackingKeyRecord(
        id=row.id,
        profile_id=row.profile_id,
        key=row.key,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )
