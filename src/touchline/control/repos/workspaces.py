"""Workspaces: create, get, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from touchline.control import fields
from touchline.control.models.workspace import Workspace
from touchline.control.repos import audit
from touchline.errors import InvalidParameter, NotFound


@dataclass(frozen=True, slots=True)
class WorkspaceRecord:
    id: str
    name: str
    timezone: str
    created_at: datetime


def create(
    session: Session,
    *,
    name: str,
    timezone: str = "UTC",
    actor: str,
    now: datetime | None = None,
) -> WorkspaceRecord:
    now = now or datetime.now(UTC)
    row = Workspace(
        name=fields.name(name, what="workspace name"),
        timezone=fields.timezone(timezone),
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=audit.AuditAction.WORKSPACE_CREATED,
        target_type="workspace",
        target_id=row.id,
        workspace_id=row.id,
        details={"name": row.name},
        now=now,
    )
    return _record(row)


def get(session: Session, workspace_id: str) -> WorkspaceRecord:
    """Raises `NotFound` for an unknown id."""
    return _record(_row(session, workspace_id))


def list_all(session: Session) -> list[WorkspaceRecord]:
    query = select(Workspace).order_by(Workspace.created_at, Workspace.id)
    return [_record(row) for row in session.scalars(query)]


def single(session: Session) -> WorkspaceRecord:
    """The one workspace of an installation that has exactly one; else `InvalidParameter`."""
    found = list_all(session)
    if len(found) != 1:
        what = "no workspace exists yet" if not found else f"there are {len(found)} workspaces"
        raise InvalidParameter(f"{what}: pass the workspace id")
    return found[0]


def _row(session: Session, workspace_id: str) -> Workspace:
    row = session.get(Workspace, workspace_id)
    if row is None:
        raise NotFound(f"workspace {workspace_id} not found")
    return row


def _record(row: Workspace) -> WorkspaceRecord:
    return WorkspaceRecord(
        id=row.id, name=row.name, timezone=row.timezone, created_at=row.created_at
    )
