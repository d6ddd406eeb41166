"""The audit log: the repositories write one entry for every admin change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from touchline.control.models.audit import AuditEvent

# The spec's audit view shows the last 50 entries; the table keeps everything.
DEFAULT_LIMIT = 50


class AuditAction(StrEnum):
    WORKSPACE_CREATED = "workspace.created"
    PROFILE_CREATED = "profile.created"
    USER_CREATED = "user.created"
    ROLE_GRANTED = "user.role_granted"
    API_KEY_CREATED = "api_key.created"
    API_KEY_ROTATED = "api_key.rotated"
    API_KEY_REVOKED = "api_key.revoked"
    TRACKING_KEY_CREATED = "tracking_key.created"
    TRACKING_KEY_REVOKED = "tracking_key.revoked"
    ATTRIBUTION_CHANGED = "profile.attribution_changed"
    IDENTITY_UNMERGED = "identity.unmerged"
    CONNECTION_CREATED = "connection.created"
    CONNECTION_UPDATED = "connection.updated"
    CONNECTION_DISABLED = "connection.disabled"
    WEBHOOK_REJECTED = "webhook.rejected"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    occurred_at: datetime
    actor: str
    action: AuditAction
    target_type: str
    target_id: str
    workspace_id: str | None
    details: dict[str, Any]


def record(
    session: Session,
    *,
    actor: str,
    action: AuditAction,
    target_type: str,
    target_id: str,
    workspace_id: str | None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Add an entry to the caller's transaction. `details` must never hold a secret."""
    session.add(
        AuditEvent(
            occurred_at=now or datetime.now(UTC),
            actor=actor,
            action=action.value,
            target_type=target_type,
            target_id=target_id,
            workspace_id=workspace_id,
            details=details or {},
        )
    )


def list_recent(
    session: Session, *, workspace_id: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[AuditEntry]:
    """Newest first; all workspaces when `workspace_id` is None."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if workspace_id is not None:
        query = query.where(AuditEvent.workspace_id == workspace_id)
    return [_entry(row) for row in session.scalars(query.limit(limit))]


def _entry(row: AuditEvent) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        occurred_at=row.occurred_at,
        actor=row.actor,
        action=AuditAction(row.action),
        target_type=row.target_type,
        target_id=row.target_id,
        workspace_id=row.workspace_id,
        details=dict(row.details),
    )
