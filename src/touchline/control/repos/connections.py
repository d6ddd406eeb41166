"""Connections: create and reconnect (secrets sealed), list, cursors and sync health."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from touchline.control.models.connection import Connection
from touchline.control.repos import audit, profiles
from touchline.control.secrets import SecretBox
from touchline.errors import NotFound

MAX_ERROR_LENGTH: Final = 1000


class Health(StrEnum):
    NEVER = "never"  # no sync or webhook yet
    OK = "ok"
    FAILING = "failing"
    UNAVAILABLE = "unavailable"  # the provider kept answering 5xx or could not be reached
    RATE_LIMITED = "rate_limited"
    AUTH_EXPIRED = "auth_expired"  # a person must reconnect


@dataclass(frozen=True, slots=True)
class ConnectionRecord:
    """A connection as shown and listed: secret names, never their values."""

    id: str
    profile_id: str
    provider: str
    status: str
    config: dict[str, str]
    secret_names: tuple[str, ...]
    cursors: dict[str, str]
    health: Health
    last_error: str | None
    last_sync_started_at: datetime | None
    last_sync_at: datetime | None
    last_success_at: datetime | None
    last_webhook_at: datetime | None
    events_received: int
    created_at: datetime
    secrets: dict[str, str] = field(default_factory=dict, repr=False)  # only from `open_`

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def last_data_at(self) -> datetime | None:
        """When data last arrived: the freshness the dashboard banner and MCP report."""
        times = [t for t in (self.last_success_at, self.last_webhook_at) if t is not None]
        return max(times) if times else None


def create(
    session: Session,
    *,
    box: SecretBox,
    profile_id: str,
    provider: str,
    config: Mapping[str, str],
    secrets: Mapping[str, str],
    actor: str,
    now: datetime | None = None,
) -> ConnectionRecord:
    now = now or datetime.now(UTC)
    profile = profiles.get(session, profile_id)
    row = Connection(
        profile_id=profile.id,
        provider=provider,
        status="active",
        config=dict(config),
        secrets=box.seal(secrets),
        secret_names=sorted(secrets),
        cursors={},
        health=Health.NEVER.value,
        events_received=0,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, audit.AuditAction.CONNECTION_CREATED, row, actor, now, sorted(secrets))
    return _record(row, None)


def reconnect(
    session: Session,
    *,
    box: SecretBox,
    connection_id: str,
    config: Mapping[str, str],
    secrets: Mapping[str, str],
    actor: str,
    now: datetime | None = None,
) -> ConnectionRecord:
    """New credentials for an existing connection (kept: id, webhook URL, cursors). Given
    values replace, others stay; the health resets until the next run proves it."""
    now = now or datetime.now(UTC)
    row = _row(session, connection_id)
    row.config = {**row.config, **config}
    merged = {**box.open(row.secrets), **secrets}
    row.secrets, row.secret_names = box.seal(merged), sorted(merged)
    row.status, row.health, row.last_error, row.updated_at = "active", "never", None, now
    _audit(session, audit.AuditAction.CONNECTION_UPDATED, row, actor, now, sorted(secrets))
    return _record(row, None)


def disable(session: Session, *, connection_id: str, actor: str) -> ConnectionRecord:
    now = datetime.now(UTC)
    row = _row(session, connection_id)
    row.status, row.updated_at = "disabled", now
    _audit(session, audit.AuditAction.CONNECTION_DISABLED, row, actor, now, [])
    return _record(row, None)


def get(session: Session, connection_id: str) -> ConnectionRecord:
    return _record(_row(session, connection_id), None)


def open_(session: Session, *, box: SecretBox, connection_id: str) -> ConnectionRecord:
    """The connection with its secrets decrypted, for a webhook check or a sync."""
    return _record(_row(session, connection_id), box, with_secrets=True)


def list_for_profile(
    session: Session, *, profile_id: str, provider: str | None = None
) -> list[ConnectionRecord]:
    profiles.get(session, profile_id)
    query = select(Connection).where(Connection.profile_id == profile_id)
    if provider is not None:
        query = query.where(Connection.provider == provider)
    rows = session.scalars(query.order_by(Connection.created_at, Connection.id))
    return [_record(row, None) for row in rows]


def list_active(session: Session) -> list[ConnectionRecord]:
    """Every active connection of every profile (the scheduler's round)."""
    query = select(Connection).where(Connection.status == "active")
    return [_record(row, None) for row in session.scalars(query.order_by(Connection.id))]


def save_cursor(session: Session, *, connection_id: str, stream: str, cursor: str) -> None:
    row = _row(session, connection_id)
    row.cursors = {**row.cursors, stream: cursor}
    row.updated_at = datetime.now(UTC)


def sync_started(session: Session, *, connection_id: str, now: datetime) -> None:
    _row(session, connection_id).last_sync_started_at = now


def sync_finished(
    session: Session,
    *,
    connection_id: str,
    now: datetime,
    events: int,
    health: Health,
    error: str | None = None,
) -> None:
    row = _row(session, connection_id)
    row.last_sync_at, row.health = now, health.value
    row.events_received += events
    row.last_error = error[:MAX_ERROR_LENGTH] if error else None
    if health is Health.OK:
        row.last_success_at = now


def webhook_received(session: Session, *, connection_id: str, events: int, now: datetime) -> None:
    """Counted in one UPDATE: webhooks of one connection may arrive concurrently."""
    session.execute(
        update(Connection)
        .where(Connection.id == connection_id)
        .values(
            last_webhook_at=now,
            events_received=Connection.events_received + events,
            health=Health.OK.value,
        )
    )


def _row(session: Session, connection_id: str) -> Connection:
    row = session.get(Connection, connection_id)
    if row is None:
        raise NotFound(f"connection {connection_id} not found")
    return row


def _record(
    row: Connection, box: SecretBox | None, *, with_secrets: bool = False
) -> ConnectionRecord:
    opened = box.open(row.secrets) if box is not None and with_secrets else {}
    return ConnectionRecord(
        id=row.id,
        profile_id=row.profile_id,
        provider=row.provider,
        status=row.status,
        config={str(k): str(v) for k, v in row.config.items()},
        secret_names=tuple(row.secret_names),
        cursors={str(k): str(v) for k, v in row.cursors.items()},
        health=Health(row.health),
        last_error=row.last_error,
        last_sync_started_at=row.last_sync_started_at,
        last_sync_at=row.last_sync_at,
        last_success_at=row.last_success_at,
        last_webhook_at=row.last_webhook_at,
        events_received=row.events_received,
        created_at=row.created_at,
        secrets=opened if with_secrets else {},
    )


def _audit(
    session: Session,
    action: audit.AuditAction,
    row: Connection,
    actor: str,
    now: datetime,
    secret_names: list[str],
) -> None:
    details: dict[str, Any] = {"provider": row.provider, "config": sorted(row.config)}
    if secret_names:
        details["secrets_set"] = secret_names  # names only, never values
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type="connection",
        target_id=row.id,
        workspace_id=profiles.get(session, row.profile_id).workspace_id,
        details=details,
        now=now,
    )
