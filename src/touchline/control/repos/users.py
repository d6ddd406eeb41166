"""Users: create (with an argon2 password hash), roles per workspace, password check."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from touchline.control import fields
from touchline.control.models.user import Membership, Role, User
from touchline.control.repos import audit, workspaces
from touchline.errors import Conflict, InvalidParameter

MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    email: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    user_id: str
    workspace_id: str
    role: Role


def generate_password() -> str:
    """A random password for a user created without one (shown once)."""
    return secrets.token_urlsafe(18)


def create(
    session: Session,
    *,
    email: str,
    password: str,
    workspace_id: str | None,
    role: Role | str,
    actor: str,
    now: datetime | None = None,
) -> UserRecord:
    """A user, and (with `workspace_id`) their role there. Raises `Conflict` for a taken
    e-mail, `NotFound` for an unknown workspace, `InvalidParameter` for a bad value."""
    now = now or datetime.now(UTC)
    address = _new_email(session, email)
    _check_password(password)
    parsed_role = _role(role)
    if workspace_id is not None:
        workspaces.get(session, workspace_id)
    row = User(email=address, password_hash=_hasher.hash(password), created_at=now)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=audit.AuditAction.USER_CREATED,
        target_type="user",
        target_id=row.id,
        workspace_id=workspace_id,
        details={"email": address},
        now=now,
    )
    if workspace_id is not None:
        grant_role(
            session,
            user_id=row.id,
            workspace_id=workspace_id,
            role=parsed_role,
            actor=actor,
            now=now,
        )
    return _record(row)


def grant_role(
    session: Session,
    *,
    user_id: str,
    workspace_id: str,
    role: Role | str,
    actor: str,
    now: datetime | None = None,
) -> MembershipRecord:
    """Adds the user to the workspace with `role`, or changes their role there."""
    now = now or datetime.now(UTC)
    workspaces.get(session, workspace_id)
    parsed = _role(role)
    membership = session.get(Membership, (user_id, workspace_id))
    if membership is None:
        membership = Membership(
            user_id=user_id, workspace_id=workspace_id, role=parsed.value, created_at=now
        )
        session.add(membership)
    membership.role = parsed.value
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=audit.AuditAction.ROLE_GRANTED,
        target_type="user",
        target_id=user_id,
        workspace_id=workspace_id,
        details={"role": parsed.value},
        now=now,
    )
    return MembershipRecord(user_id=user_id, workspace_id=workspace_id, role=parsed)


def memberships(session: Session, *, user_id: str) -> list[MembershipRecord]:
    query = select(Membership).where(Membership.user_id == user_id).order_by(Membership.created_at)
    return [
        MembershipRecord(user_id=row.user_id, workspace_id=row.workspace_id, role=Role(row.role))
        for row in session.scalars(query)
    ]


def list_all(session: Session) -> list[UserRecord]:
    return [_record(row) for row in session.scalars(select(User).order_by(User.email))]


def authenticate(session: Session, email: str, password: str) -> UserRecord | None:
    """The user when `password` is theirs; upgrades the hash when argon2's parameters changed."""
    row = session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        # An unknown e-mail still costs one hash, so timing does not reveal who has an account.
        _hasher.verify(row.password_hash if row else _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    return _record(row)


def _new_email(session: Session, email: str) -> str:
    address = fields.email(email)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(f"a user with e-mail {address} already exists")
    return address


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidParameter(f"password must be at least {MIN_PASSWORD_LENGTH} characters")


@cache
def _decoy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(18))


def _role(role: Role | str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidParameter(f"unknown role {role!r}: use one of {choices}") from None


def _record(row: User) -> UserRecord:
    return UserRecord(id=row.id, email=row.email, created_at=row.created_at)
