"""Profiles: create, get, list; and the `ProfileContext` the ingest path needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from touchline.control import fields
from touchline.control.models.profile import (
    DEFAULT_SESSION_TIMEOUT_MINUTES,
    MAX_SESSION_TIMEOUT_MINUTES,
    MIN_SESSION_TIMEOUT_MINUTES,
    Profile,
)
from touchline.control.repos import audit, goals, workspaces
from touchline.domain.attribution.settings import AttributionSettings, CustomWeights
from touchline.errors import InvalidParameter, NotFound
from touchline.ingest.context import ProfileContext, SessionMode

DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True, slots=True)
class ProfileRecord:
    id: str
    workspace_id: str
    name: str
    timezone: str
    currency: str
    domains: tuple[str, ...]
    session_timeout_minutes: int
    session_mode: SessionMode
    created_at: datetime
    attribution: AttributionSettings = field(default_factory=AttributionSettings)
    phone_region: str | None = None

    def context(self) -> ProfileContext:
        return ProfileContext(
            profile_id=self.id,
            domains=frozenset(self.domains),
            timezone=self.timezone,
            session_timeout_minutes=self.session_timeout_minutes,
            session_mode=self.session_mode,
            currency=self.currency,
            phone_region=self.phone_region,
            attribution=self.attribution,
        )


def create(
    session: Session,
    *,
    workspace_id: str,
    name: str,
    currency: str = DEFAULT_CURRENCY,
    timezone: str | None = None,
    domains: Sequence[str] = (),
    session_timeout_minutes: int = DEFAULT_SESSION_TIMEOUT_MINUTES,
    session_mode: SessionMode | str = SessionMode.INACTIVITY_ONLY,
    actor: str,
    now: datetime | None = None,
) -> ProfileRecord:
    """`timezone` defaults to the workspace's (CHECKLIST §9 #49). Raises `NotFound` for an
    unknown workspace and `InvalidParameter` for a bad value."""
    now = now or datetime.now(UTC)
    workspace = workspaces.get(session, workspace_id)
    row = Profile(
        workspace_id=workspace.id,
        name=fields.name(name, what="profile name"),
        timezone=fields.timezone(timezone or workspace.timezone),
        currency=fields.currency(currency),
        domains=fields.domains(tuple(domains)),
        session_timeout_minutes=_session_timeout(session_timeout_minutes),
        session_mode=_session_mode(session_mode).value,
        created_at=now,
    )
    session.add(row)
    session.flush()
    goals.ensure_defaults(session, row.id, now=now)
    audit.record(
        session,
        actor=actor,
        action=audit.AuditAction.PROFILE_CREATED,
        target_type="profile",
        target_id=row.id,
        workspace_id=row.workspace_id,
        details={"name": row.name},
        now=now,
    )
    return record_of(row)


def get(session: Session, profile_id: str) -> ProfileRecord:
    """Raises `NotFound` for an unknown id."""
    row = session.get(Profile, profile_id)
    if row is None:
        raise NotFound(f"profile {profile_id} not found")
    return record_of(row)


def list_all(session: Session) -> list[ProfileRecord]:
    query = select(Profile).order_by(Profile.created_at, Profile.id)
    return [record_of(row) for row in session.scalars(query)]


def list_for_workspace(session: Session, *, workspace_id: str) -> list[ProfileRecord]:
    workspaces.get(session, workspace_id)
    query = (
        select(Profile)
        .where(Profile.workspace_id == workspace_id)
        .order_by(Profile.created_at, Profile.id)
    )
    return [record_of(row) for row in session.scalars(query)]


def record_of(row: Profile) -> ProfileRecord:
    return ProfileRecord(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        timezone=row.timezone,
        currency=row.currency,
        domains=tuple(row.domains),
        session_timeout_minutes=row.session_timeout_minutes,
        session_mode=SessionMode(row.session_mode),
        created_at=row.created_at,
        attribution=AttributionSettings(
            click_window_days=row.click_window_days,
            view_window_hours=row.view_window_hours,
            first_touch_window_days=row.first_touch_window_days,
            half_life_days=row.half_life_days,
            weights=CustomWeights(
                first=row.custom_weight_first,
                middle=row.custom_weight_middle,
                last=row.custom_weight_last,
            ),
        ),
        phone_region=row.phone_region,
    )


def _session_timeout(minutes: int) -> int:
    if not MIN_SESSION_TIMEOUT_MINUTES <= minutes <= MAX_SESSION_TIMEOUT_MINUTES:
        raise InvalidParameter(
            f"session timeout must be {MIN_SESSION_TIMEOUT_MINUTES} to "
            f"{MAX_SESSION_TIMEOUT_MINUTES} minutes, got {minutes}"
        )
    return minutes


def _session_mode(mode: SessionMode | str) -> SessionMode:
    try:
        return SessionMode(mode)
    except ValueError:
        choices = ", ".join(m.value for m in SessionMode)
        raise InvalidParameter(f"unknown session mode {mode!r}: use one of {choices}") from None


def update_attribution(
    session: Session,
    profile_id: str,
    settings: AttributionSettings,
    *,
    phone_region: str | None = None,
    actor: str,
    now: datetime | None = None,
) -> ProfileRecord:
    """Change a profile's windows and weights (ranges checked by AttributionSettings); the
    caller recomputes the profile's credits. Applies to calculations from now on."""
    row = session.get(Profile, profile_id)
    if row is None:
        raise NotFound(f"profile {profile_id} not found")
    row.click_window_days = settings.click_window_days
    row.view_window_hours = settings.view_window_hours
    row.first_touch_window_days = settings.first_touch_window_days
    row.half_life_days = settings.half_life_days
    row.custom_weight_first = settings.weights.first
    row.custom_weight_middle = settings.weights.middle
    row.custom_weight_last = settings.weights.last
    if phone_region is not None:
        row.phone_region = phone_region.upper() or None
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=audit.AuditAction.ATTRIBUTION_CHANGED,
        target_type="profile",
        target_id=row.id,
        workspace_id=row.workspace_id,
        details={
            "click_window_days": settings.click_window_days,
            "view_window_hours": settings.view_window_hours,
            "first_touch_window_days": settings.first_touch_window_days,
            "half_life_days": settings.half_life_days,
            "weights": [settings.weights.first, settings.weights.middle, settings.weights.last],
        },
        now=now or datetime.now(UTC),
    )
    return record_of(row)
