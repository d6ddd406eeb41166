"""Goals and stage mappings of a profile. New profiles get the spec's six default goals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from touchline.control.models.goal import Goal, StageMapping
from touchline.control.models.profile import Profile
from touchline.domain.goals import (
    DEFAULT_GOALS,
    PIPELINE_KEYS,
    GoalDefinition,
    GoalError,
    check_goal,
    stage_key,
)
from touchline.domain.revenue import RevenueType
from touchline.errors import Conflict, InvalidParameter, NotFound


def ensure_defaults(session: Session, profile_id: str, *, now: datetime | None = None) -> int:
    """Create the default goals the profile lacks; returns how many were created."""
    _require_profile(session, profile_id)
    have = set(session.scalars(select(Goal.key).where(Goal.profile_id == profile_id)))
    created = 0
    start = now or datetime.now(UTC)
    for order, goal in enumerate(DEFAULT_GOALS):
        if goal.key not in have:  # a microsecond apart: listed in the spec's order
            at = start + timedelta(microseconds=order)
            session.add(_row(profile_id, goal, is_default=True, now=at))
            created += 1
    session.flush()
    return created


def missing_defaults(session: Session, profile_id: str) -> bool:
    """Whether the profile lacks one of the default goals (a read; no lock taken)."""
    have = set(session.scalars(select(Goal.key).where(Goal.profile_id == profile_id)))
    return any(goal.key not in have for goal in DEFAULT_GOALS)


def list_goals(session: Session, profile_id: str) -> list[GoalDefinition]:
    """Defaults first in the spec's order, then custom goals by creation."""
    query = select(Goal).where(Goal.profile_id == profile_id).order_by(Goal.created_at, Goal.key)
    return [definition_of(row) for row in session.scalars(query)]


def create_goal(
    session: Session,
    *,
    profile_id: str,
    key: str,
    name: str,
    source_events: Sequence[str],
    revenue_type: RevenueType | str,
    attribution_eligible: bool = True,
    now: datetime | None = None,
) -> GoalDefinition:
    """A custom goal. `InvalidParameter` for a bad definition; `Conflict` when the key or a
    source event already belongs to a goal of the profile."""
    _require_profile(session, profile_id)
    goal = _checked(key, name, source_events, revenue_type, attribution_eligible)
    if any(other.key == goal.key for other in list_goals(session, profile_id)):
        raise Conflict(f"the profile already has a goal {goal.key!r}")
    _require_own_sources(session, profile_id, goal)
    try:
        with session.begin_nested():
            session.add(_row(profile_id, goal, is_default=False, now=now or datetime.now(UTC)))
    except IntegrityError as error:  # a concurrent create of the same key
        raise Conflict(f"the profile already has a goal {goal.key!r}") from error
    return goal


def edit_sources(
    session: Session,
    *,
    profile_id: str,
    key: str,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> GoalDefinition:
    """Add source events to a goal (a default one too: the Shopify pixel's `purchase` into
    `order_placed`, so the pixel and the webhook count one order) and remove others. The rules
    of a new goal apply: `InvalidParameter` for a name no goal may take or for none left,
    `Conflict` when an added name belongs to another goal, `NotFound` for an unknown key.
    Applies to events loaded from then on."""
    _require_profile(session, profile_id)
    row = session.scalar(select(Goal).where(Goal.profile_id == profile_id, Goal.key == key))
    if row is None:
        raise NotFound(f"the profile has no goal {key!r}")
    dropped = {e.strip() for e in remove}
    kept = [e for e in row.source_events if e not in dropped]
    goal = _checked(key, row.name, [*kept, *add], row.revenue_type, row.attribution_eligible)
    _require_own_sources(session, profile_id, goal)
    row.source_events = list(goal.source_events)
    session.flush()
    return goal


def _require_own_sources(session: Session, profile_id: str, goal: GoalDefinition) -> None:
    """`Conflict` when another goal of the profile already takes one of `goal`'s sources."""
    for other in list_goals(session, profile_id):
        shared = sorted(set(other.source_events) & set(goal.source_events))
        if other.key != goal.key and shared:
            raise Conflict(f"{shared} already make {other.key!r} conversions")


def _checked(
    key: str,
    name: str,
    source_events: Sequence[str],
    revenue_type: RevenueType | str,
    attribution_eligible: bool,
) -> GoalDefinition:
    try:
        kind = RevenueType(str(revenue_type).strip().lower())
    except ValueError:
        raise InvalidParameter(
            f"revenue type {revenue_type!r} is not one of cash, pipeline, gross"
        ) from None
    try:
        return check_goal(
            GoalDefinition(
                key=key.strip(),
                name=name.strip() or key.strip(),
                source_events=tuple(dict.fromkeys(e.strip() for e in source_events if e.strip())),
                revenue_type=kind,
                attribution_eligible=attribution_eligible,
            )
        )
    except GoalError as error:
        raise InvalidParameter(str(error)) from error


def set_stage_mapping(session: Session, *, profile_id: str, stage: str, goal_key: str) -> str:
    """Map a CRM stage (case-insensitive) to a goal key of the profile or a pipeline key; ''
    marks it "not a conversion". Returns the stored stage name."""
    _require_profile(session, profile_id)
    known = {g.key for g in list_goals(session, profile_id)} | set(PIPELINE_KEYS)
    if goal_key and goal_key not in known:
        raise InvalidParameter(
            f"unknown goal key {goal_key!r}: one of {', '.join(sorted(known))} or ''"
        )
    name = stage_key(stage)
    if not name:
        raise InvalidParameter("the stage name is empty")
    row = _mapping(session, profile_id, name)
    if row is None:
        session.add(
            StageMapping(
                profile_id=profile_id, stage=name, goal_key=goal_key, created_at=datetime.now(UTC)
            )
        )
    else:
        row.goal_key = goal_key
    session.flush()
    return name


def delete_stage_mapping(session: Session, *, profile_id: str, stage: str) -> None:
    """Remove an override (the keyword rules apply again); `NotFound` when there is none."""
    row = _mapping(session, profile_id, stage_key(stage))
    if row is None:
        raise NotFound(f"no mapping for stage {stage!r}")
    session.delete(row)
    session.flush()


def stage_mappings(session: Session, profile_id: str) -> dict[str, str]:
    """The profile's overrides: stored stage name → goal key ('' = not a conversion)."""
    query = select(StageMapping.stage, StageMapping.goal_key).where(
        StageMapping.profile_id == profile_id
    )
    return {row.stage: row.goal_key for row in session.execute(query)}


def definition_of(row: Goal) -> GoalDefinition:
    return GoalDefinition(
        key=row.key,
        name=row.name,
        source_events=tuple(row.source_events),
        revenue_type=RevenueType(row.revenue_type),
        attribution_eligible=row.attribution_eligible,
    )


def _mapping(session: Session, profile_id: str, name: str) -> StageMapping | None:
    return session.scalar(
        select(StageMapping).where(
            StageMapping.profile_id == profile_id, StageMapping.stage == name
        )
    )


def _require_profile(session: Session, profile_id: str) -> None:
    if session.get(Profile, profile_id) is None:
        raise NotFound(f"profile {profile_id!r} not found")


def _row(profile_id: str, goal: GoalDefinition, *, is_default: bool, now: datetime) -> Goal:
    return Goal(
        profile_id=profile_id,
        key=goal.key,
        name=goal.name,
        source_events=list(goal.source_events),
        revenue_type=goal.revenue_type.value,
        attribution_eligible=goal.attribution_eligible,
        is_default=is_default,
        created_at=now,
    )
