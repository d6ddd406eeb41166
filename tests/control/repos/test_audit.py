"""The audit log: newest first, per workspace, bounded listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from touchline.control.db import Database
from touchline.control.repos import audit, workspaces

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_entries_list_newest_first_per_workspace(database: Database) -> None:
    with database.transaction() as session:
        first = workspaces.create(session, name="A", actor="ana", now=T0)
        second = workspaces.create(session, name="B", actor="ben", now=T0 + timedelta(hours=1))
        for minute in range(60):
            audit.record(
                session,
                actor="ana",
                action=audit.AuditAction.PROFILE_CREATED,
                target_type="profile",
                target_id=f"p{minute}",
                workspace_id=first.id,
                details={"n": minute},
                now=T0 + timedelta(minutes=minute + 1),
            )
    with database.read() as session:
        recent = audit.list_recent(session, workspace_id=first.id)
        everything = audit.list_recent(session, limit=1000)
        only_second = audit.list_recent(session, workspace_id=second.id)
    assert len(recent) == audit.DEFAULT_LIMIT == 50
    assert [e.target_id for e in recent[:2]] == ["p59", "p58"]
    assert recent[0].details == {"n": 59} and recent[0].occurred_at.tzinfo is not None
    assert len(everything) == 62
    assert [(e.action, e.actor, e.target_id) for e in only_second] == [
        (audit.AuditAction.WORKSPACE_CREATED, "ben", second.id)
    ]
