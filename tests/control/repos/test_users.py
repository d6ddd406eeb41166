"""Users repository: argon2 passwords, unique e-mails, roles per workspace."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from touchline.control.db import Database
from touchline.control.models.user import Role
from touchline.control.repos import audit, users, workspaces
from touchline.control.repos.workspaces import WorkspaceRecord
from touchline.errors import Conflict, InvalidParameter, NotFound

ACTOR = "test"
PASSWORD = "correct horse battery"


def create(
    database: Database,
    workspace_id: str | None,
    email: str = "Ana@Example.com",
    role: str = "admin",
) -> users.UserRecord:
    with database.transaction() as session:
        return users.create(
            session,
            email=email,
            password=PASSWORD,
            workspace_id=workspace_id,
            role=role,
            actor=ACTOR,
        )


def test_password_is_stored_as_argon2_and_verifies(
    database: Database, workspace: WorkspaceRecord
) -> None:
    user = create(database, workspace.id)
    assert user.email == "ana@example.com"
    with database.transaction() as session:
        stored = session.execute(text("SELECT password_hash FROM users")).scalar_one()
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert users.authenticate(session, "ANA@example.com", PASSWORD) == user
        assert users.authenticate(session, "ana@example.com", "wrong password") is None
        assert users.authenticate(session, "nobody@example.com", PASSWORD) is None


def test_role_is_per_workspace(database: Database, workspace: WorkspaceRecord) -> None:
    user = create(database, workspace.id, role="Editor")
    with database.transaction() as session:
        other = workspaces.create(session, name="Other", actor=ACTOR)
        users.grant_role(
            session, user_id=user.id, workspace_id=other.id, role=Role.VIEWER, actor=ACTOR
        )
        roles = {(m.workspace_id, m.role) for m in users.memberships(session, user_id=user.id)}
    assert roles == {(workspace.id, Role.EDITOR), (other.id, Role.VIEWER)}


def test_granting_again_changes_the_role(database: Database, workspace: WorkspaceRecord) -> None:
    user = create(database, workspace.id, role="viewer")
    with database.transaction() as session:
        users.grant_role(
            session, user_id=user.id, workspace_id=workspace.id, role="owner", actor=ACTOR
        )
        assert [m.role for m in users.memberships(session, user_id=user.id)] == [Role.OWNER]


def test_email_is_unique_regardless_of_case(database: Database, workspace: WorkspaceRecord) -> None:
    create(database, workspace.id)
    with pytest.raises(Conflict):
        create(database, workspace.id, email="ANA@example.COM")


@pytest.mark.parametrize(
    ("email", "role"), [("not-an-email", "admin"), ("a@b.example", "superuser")]
)
def test_bad_email_or_role_is_refused(
    database: Database, workspace: WorkspaceRecord, email: str, role: str
) -> None:
    with pytest.raises(InvalidParameter):
        create(database, workspace.id, email=email, role=role)


def test_short_password_is_refused(database: Database, workspace: WorkspaceRecord) -> None:
    with pytest.raises(InvalidParameter), database.transaction() as session:
        users.create(
            session,
            email="a@b.example",
            password="short",
            workspace_id=workspace.id,
            role="admin",
            actor=ACTOR,
        )


def test_unknown_workspace_creates_nothing(database: Database) -> None:
    with pytest.raises(NotFound):
        create(database, "missing")
    with database.read() as session:
        assert users.list_all(session) == []


def test_generated_passwords_are_long_and_distinct() -> None:
    passwords = {users.generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) >= 20 for p in passwords)


def test_user_creation_is_audited_without_the_password(
    database: Database, workspace: WorkspaceRecord
) -> None:
    user = create(database, workspace.id)
    with database.read() as session:
        entries = audit.list_recent(session, workspace_id=workspace.id, limit=2)
    assert [(e.action, e.target_id) for e in entries] == [
        (audit.AuditAction.ROLE_GRANTED, user.id),
        (audit.AuditAction.USER_CREATED, user.id),
    ]
    assert PASSWORD not in repr(entries)
