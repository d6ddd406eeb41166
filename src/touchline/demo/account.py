"""The demo account: workspace "Demo Agency", profile "Demo Clinic", a tracking key and an API
key. Idempotent: a second run finds and reuses what the first one made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from touchline.control.repos import api_keys, goals, profiles, tracking_keys, workspaces
from touchline.control.repos.api_keys import IssuedKey
from touchline.control.repos.profiles import ProfileRecord
from touchline.domain.keys import KeyStatus

WORKSPACE_NAME: Final = "Demo Agency"
PROFILE_NAME: Final = "Demo Clinic"
TIMEZONE: Final = "America/Mexico_City"
CURRENCY: Final = "USD"
DOMAIN: Final = "democlinic.example"
API_KEY_NAME: Final = "demo"
ACTOR: Final = "cli:demo"
DEMO_GOALS: Final = (
    ("deposit_paid", "Booking deposit", "cash"),
    ("lead_submitted", "Website lead", "pipeline"),
)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    workspace_id: str
    profile: ProfileRecord
    tracking_key: str
    api_key: IssuedKey
    reused: bool  # the workspace already existed


def ensure_demo_account(session: Session, *, now: datetime) -> DemoAccount:
    """Find or create the demo workspace, profile and tracking key; issue a fresh API key
    (by rotating the previous demo key, so old copies keep working for the grace period)."""
    existing = [w for w in workspaces.list_all(session) if w.name == WORKSPACE_NAME]
    if existing:
        workspace_id = existing[0].id
    else:
        workspace_id = workspaces.create(
            session, name=WORKSPACE_NAME, timezone=TIMEZONE, actor=ACTOR, now=now
        ).id
    profile = _profile(session, workspace_id, now)
    _goals(session, profile.id)
    return DemoAccount(
        workspace_id=workspace_id,
        profile=profile,
        tracking_key=_tracking_key(session, profile.id, now),
        api_key=_api_key(session, profile.id, now),
        reused=bool(existing),
    )


def _goals(session: Session, profile_id: str) -> None:
    """The clinic's own goals: deposits paid on the site are cash; form leads are pipeline."""
    have = {g.key for g in goals.list_goals(session, profile_id)}
    for key, name, revenue_type in DEMO_GOALS:
        if key not in have:
            goals.create_goal(
                session,
                profile_id=profile_id,
                key=key,
                name=name,
                source_events=[key],
                revenue_type=revenue_type,
            )


def _profile(session: Session, workspace_id: str, now: datetime) -> ProfileRecord:
    for profile in profiles.list_for_workspace(session, workspace_id=workspace_id):
        if profile.name == PROFILE_NAME:
            return profile
    return profiles.create(
        session,
        workspace_id=workspace_id,
        name=PROFILE_NAME,
        currency=CURRENCY,
        timezone=TIMEZONE,
        domains=(DOMAIN,),
        actor=ACTOR,
        now=now,
    )


def _tracking_key(session: Session, profile_id: str, now: datetime) -> str:
    for record in tracking_keys.list_for_profile(session, profile_id=profile_id):
        if record.active:
            return record.key
    return tracking_keys.create(session, profile_id=profile_id, actor=ACTOR, now=now).key


def _api_key(session: Session, profile_id: str, now: datetime) -> IssuedKey:
    for record in reversed(api_keys.list_for_profile(session, profile_id=profile_id)):
        if record.name == API_KEY_NAME and record.status(now) is KeyStatus.ACTIVE:
            return api_keys.rotate(session, key_id=record.id, actor=ACTOR, now=now)
    return api_keys.create(session, profile_id=profile_id, name=API_KEY_NAME, actor=ACTOR, now=now)
