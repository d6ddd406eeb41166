"""API keys: create (the plaintext is returned once), list, rotate, revoke, authenticate.

Only a SHA-256 hash and a short display prefix are stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from touchline.control import fields
from touchline.control.models.api_key import ApiKey
from touchline.control.repos import audit, profiles
from touchline.domain import keys
from touchline.domain.keys import KeyStatus, Scope
from touchline.errors import Conflict, InvalidParameter, NotFound

# Recording every use would make each API request a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    id: str
    profile_id: str
    name: str
    prefix: str
    scopes: frozenset[Scope]
    rate_limit_per_minute: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    replaces_key_id: str | None

    def status(self, now: datetime) -> KeyStatus:
        return keys.key_status(now=now, expires_at=self.expires_at, revoked_at=self.revoked_at)

    def has_scope(self, scope: Scope) -> bool:
        return scope in self.scopes


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key and its plaintext: show `plaintext` once, it cannot be recovered."""

    record: ApiKeyRecord
    plaintext: str


def create(
    session: Session,
    *,
    profile_id: str,
    name: str = "default",
    scopes: Iterable[str] | None = None,
    rate_limit_per_minute: int = keys.DEFAULT_RATE_LIMIT_PER_MINUTE,
    expires_at: datetime | None = None,
    actor: str,
    now: datetime | None = None,
) -> IssuedKey:
    """`scopes=None` grants the spec's defaults; PII scopes only when listed."""
    now = now or datetime.now(UTC)
    profile = profiles.get(session, profile_id)
    if rate_limit_per_minute < 1:
        raise InvalidParameter("rate limit must be at least 1 request per minute")
    issued = _issue(
        session,
        profile_id=profile.id,
        name=fields.name(name, what="key name"),
        scopes=keys.DEFAULT_SCOPES if scopes is None else _scopes(scopes),
        rate_limit_per_minute=rate_limit_per_minute,
        expires_at=expires_at,
        replaces_key_id=None,
        now=now,
    )
    _audit(session, audit.AuditAction.API_KEY_CREATED, issued.record, actor=actor, now=now)
    return issued


def get(session: Session, key_id: str) -> ApiKeyRecord:
    return _record(_row(session, key_id))


def list_for_profile(session: Session, *, profile_id: str) -> list[ApiKeyRecord]:
    profiles.get(session, profile_id)
    query = (
        select(ApiKey).where(ApiKey.profile_id == profile_id).order_by(ApiKey.created_at, ApiKey.id)
    )
    return [_record(row) for row in session.scalars(query)]


def rotate(session: Session, *, key_id: str, actor: str, now: datetime | None = None) -> IssuedKey:
    """A new key with the same profile, name, scopes and limit; the old one keeps working
    for the 48 h grace period. Raises `Conflict` for a revoked or expired key."""
    now = now or datetime.now(UTC)
    row = _row(session, key_id)
    status = _record(row).status(now)
    if status is not KeyStatus.ACTIVE:
        raise Conflict(f"key {key_id} is {status}; create a new key instead")
    issued = _issue(
        session,
        profile_id=row.profile_id,
        name=row.name,
        scopes=_scopes(row.scopes),
        rate_limit_per_minute=row.rate_limit_per_minute,
        expires_at=None,
        replaces_key_id=row.id,
        now=now,
    )
    row.expires_at = keys.grace_expiry(now=now, expires_at=row.expires_at)
    _audit(
        session,
        audit.AuditAction.API_KEY_ROTATED,
        _record(row),
        actor=actor,
        now=now,
        new_key_id=issued.record.id,
    )
    return issued


def revoke(
    session: Session, *, key_id: str, actor: str, now: datetime | None = None
) -> ApiKeyRecord:
    """Instant and final. Revoking a revoked key changes nothing."""
    now = now or datetime.now(UTC)
    row = _row(session, key_id)
    if row.revoked_at is None:
        row.revoked_at = now
        _audit(session, audit.AuditAction.API_KEY_REVOKED, _record(row), actor=actor, now=now)
    return _record(row)


def authenticate(
    session: Session, plaintext: str, now: datetime | None = None
) -> ApiKeyRecord | None:
    """The usable key `plaintext` names, or None. Records the use in `last_used_at`."""
    if not keys.is_api_key(plaintext):
        return None
    now = now or datetime.now(UTC)
    candidates = session.scalars(
        select(ApiKey).where(ApiKey.prefix == keys.display_prefix(plaintext))
    )
    for row in candidates:
        if keys.hash_matches(plaintext, row.key_hash):
            if not keys.is_usable(now=now, expires_at=row.expires_at, revoked_at=row.revoked_at):
                return None
            if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
                row.last_used_at = now
            return _record(row)
    return None


def _issue(
    session: Session,
    *,
    profile_id: str,
    name: str,
    scopes: frozenset[Scope],
    rate_limit_per_minute: int,
    expires_at: datetime | None,
    replaces_key_id: str | None,
    now: datetime,
) -> IssuedKey:
    plaintext = keys.new_api_key()
    row = ApiKey(
        profile_id=profile_id,
        name=name,
        prefix=keys.display_prefix(plaintext),
        key_hash=keys.hash_key(plaintext),
        scopes=sorted(scope.value for scope in scopes),
        rate_limit_per_minute=rate_limit_per_minute,
        created_at=now,
        expires_at=expires_at,
        replaces_key_id=replaces_key_id,
    )
    session.add(row)
    session.flush()
    return IssuedKey(record=_record(row), plaintext=plaintext)


def _audit(
    session: Session,
    action: audit.AuditAction,
    key: ApiKeyRecord,
    *,
    actor: str,
    now: datetime,
    **details: str,
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type="api_key",
        target_id=key.id,
        workspace_id=profiles.get(session, key.profile_id).workspace_id,
        details={"profile_id": key.profile_id, "prefix": key.prefix, "name": key.name, **details},
        now=now,
    )


def _scopes(names: Iterable[str]) -> frozenset[Scope]:
    try:
        return keys.parse_scopes(names)
    except keys.UnknownScope as error:
        choices = ", ".join(scope.value for scope in Scope)
        raise InvalidParameter(f"{error}; known scopes: {choices}") from None


def _row(session: Session, key_id: str) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"API key {key_id} not found")
    return row


def _record(row: ApiKey) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.id,
        profile_id=row.profile_id,
        name=row.name,
        prefix=row.prefix,
        scopes=frozenset(Scope(name) for name in row.scopes),
        rate_limit_per_minute=row.rate_limit_per_minute,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        replaces_key_id=row.replaces_key_id,
    )
