"""Goals and stage mappings of a profile. New profiles get the spec's six default goals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from touchline.control.models.goal import Goal, StageMapping
from touchline.domain.goals import (
    DEFAULT_GOALS,
    PIPELINE_KEYS,
    GoalDefinition,
    GoalError,
    check_goal,
)
from touchline.domain.revenue import RevenueType
from touchline.errors import Conflict, InvalidParameter, NotFound


def ensure_defaults(session: Session, profile_id: str, *, now: datetime | None = None) -> int:
    """Create the default goals the profile lacks; returns how many were created."""
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


def list_goals(session: Session, profile_id: str) -> list[GoalDefinition]:
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
) -> GoalDefinition:
    try:
        goal = check_goal(
            GoalDefinition(
                key=key,
                name=name.strip() or key,
                source_events=tuple(dict.fromkeys(e.strip() for e in source_events if e.strip())),
                revenue_type=RevenueType(revenue_type),
                attribution_eligible=attribution_eligible,
            )
        )
    except (GoalError, ValueError) as error:
        raise InvalidParameter(str(error)) from error
    try:
        with session.begin_nested():
            session.add(_row(profile_id, goal, is_default=False, now=datetime.now(UTC)))
    except IntegrityError as error:
        raise Conflict(f"the profile already has a goal {key!r}") from error
    return goal


def set_stage_mapping(session: Session, *, profile_id: str, stage: str, goal_key: str) -> None:
    """Map a CRM stage (case-insensitive) to a goal key; '' marks it "not a conversion"."""
    known = {g.key for g in list_goals(session, profile_id)} | set(PIPELINE_KEYS)
    if goal_key and goal_key not in known:
        raise InvalidParameter(f"unknown goal key {goal_key!r}")
    name = " ".join(stage.lower().split())
    if not name:
        raise InvalidParameter("the stage name is empty")
    row = session.scalar(
        select(StageMapping).where(
            StageMapping.profile_id == profile_id, StageMapping.stage == name
        )
    )
    if row is None:
        session.add(StageMapping(profile_id=profile_id, stage=name, goal_key=goal_key,
                                 created_at=datetime.now(UTC)))  # fmt: skip
    else:
        row.goal_key = goal_key
    session.flush()


def delete_stage_mapping(session: Session, *, profile_id: str, stage: str) -> None:
    name = " ".join(stage.lower().split())
    row = session.scalar(
        select(StageMapping).where(
            StageMapping.profile_id == profile_id, StageMapping.stage == name
        )
    )
    if row is None:
        raise NotFound(f"no mapping for stage {stage!r}")
    session.delete(row)


def stage_mappings(session: Session, profile_id: str) -> dict[str, str]:
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
