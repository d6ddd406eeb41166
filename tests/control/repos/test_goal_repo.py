"""Goals repository: defaults on new profiles, custom goals, stage overrides."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from touchline.control.db import Database
from touchline.control.models.goal import Goal
from touchline.control.repos import goals
from touchline.control.repos.profiles import ProfileRecord
from touchline.domain.goals import DEFAULT_GOALS
from touchline.domain.revenue import RevenueType
from touchline.errors import Conflict, InvalidParameter, NotFound


def test_a_new_profile_has_the_six_default_goals_in_the_spec_order(
    database: Database, profile: ProfileRecord
) -> None:
    with database.read() as session:
        assert goals.list_goals(session, profile.id) == list(DEFAULT_GOALS)
        assert not goals.missing_defaults(session, profile.id)


def test_ensure_defaults_restores_only_what_is_missing(
    database: Database, profile: ProfileRecord
) -> None:
    with database.transaction() as session:
        assert goals.ensure_defaults(session, profile.id) == 0
        session.execute(delete(Goal).where(Goal.key == "closed_won"))
        assert goals.missing_defaults(session, profile.id)
        assert goals.ensure_defaults(session, profile.id) == 1
        assert {g.key for g in goals.list_goals(session, profile.id)} == {
            g.key for g in DEFAULT_GOALS
        }


def test_a_custom_goal_is_listed_after_the_defaults(
    database: Database, profile: ProfileRecord
) -> None:
    with database.transaction() as session:
        trial = goals.create_goal(
            session,
            profile_id=profile.id,
            key="trial_started",
            name=" Trial started ",
            source_events=["trial_started", " trial_begun ", "trial_started", ""],
            revenue_type="Pipeline",
            attribution_eligible=False,
        )
    assert trial.source_events == ("trial_started", "trial_begun")
    assert (trial.name, trial.revenue_type, trial.attribution_eligible) == (
        "Trial started",
        RevenueType.PIPELINE,
        False,
    )
    with database.read() as session:
        assert goals.list_goals(session, profile.id)[-1] == trial


@pytest.mark.parametrize(
    ("key", "sources", "revenue_type", "error", "message"),
    [
        ("payment_received", ["paid"], "cash", Conflict, "already has a goal"),
        ("paid_twice", ["payment_received"], "cash", Conflict, "already make"),
        ("scrolls", ["scroll_depth"], "pipeline", InvalidParameter, "never become conversions"),
        ("refunds", ["payment_refunded"], "cash", InvalidParameter, "built-in rules"),
        ("trial", ["trial"], "revenue", InvalidParameter, "cash, pipeline, gross"),
        ("Trial", ["trial"], "cash", InvalidParameter, "lowercase"),
        ("trial", ["  "], "cash", InvalidParameter, "at least one source"),
    ],
)
def test_bad_or_clashing_custom_goals_are_refused(
    database: Database,
    profile: ProfileRecord,
    key: str,
    sources: list[str],
    revenue_type: str,
    error: type[Exception],
    message: str,
) -> None:
    with database.transaction() as session, pytest.raises(error, match=message):
        goals.create_goal(
            session,
            profile_id=profile.id,
            key=key,
            name=key,
            source_events=sources,
            revenue_type=revenue_type,
        )
    with database.read() as session:
        assert len(goals.list_goals(session, profile.id)) == len(DEFAULT_GOALS)


def test_an_unknown_profile_is_not_found(database: Database) -> None:
    with database.transaction() as session:
        with pytest.raises(NotFound):
            goals.ensure_defaults(session, "nope")
        with pytest.raises(NotFound):
            goals.create_goal(
                session,
                profile_id="nope",
                key="trial",
                name="Trial",
                source_events=["trial"],
                revenue_type="cash",
            )
        with pytest.raises(NotFound):
            goals.set_stage_mapping(session, profile_id="nope", stage="Won", goal_key="")


def test_stage_overrides_are_stored_by_their_normalized_name_and_replaced(
    database: Database, profile: ProfileRecord
) -> None:
    with database.transaction() as session:
        stored = goals.set_stage_mapping(
            session, profile_id=profile.id, stage="  Closed  LOST ", goal_key="closed_won"
        )
        goals.set_stage_mapping(session, profile_id=profile.id, stage="Demo", goal_key="showed")
        goals.set_stage_mapping(session, profile_id=profile.id, stage="Spam", goal_key="")
        goals.set_stage_mapping(
            session, profile_id=profile.id, stage="closed lost", goal_key="closed_lost"
        )
    assert stored == "closed lost"
    with database.read() as session:
        assert goals.stage_mappings(session, profile.id) == {
            "closed lost": "closed_lost",
            "demo": "showed",  # a recognized pipeline key, though not a goal
            "spam": "",
        }


def test_a_stage_maps_only_to_a_known_key(database: Database, profile: ProfileRecord) -> None:
    with database.transaction() as session:
        with pytest.raises(InvalidParameter, match="unknown goal key 'won'"):
            goals.set_stage_mapping(session, profile_id=profile.id, stage="Won", goal_key="won")
        with pytest.raises(InvalidParameter, match="empty"):
            goals.set_stage_mapping(session, profile_id=profile.id, stage=" ", goal_key="")


def test_removing_an_override_brings_back_the_keyword_rules(
    database: Database, profile: ProfileRecord
) -> None:
    with database.transaction() as session:
        goals.set_stage_mapping(session, profile_id=profile.id, stage="Won", goal_key="")
        goals.delete_stage_mapping(session, profile_id=profile.id, stage="WON")
        assert goals.stage_mappings(session, profile.id) == {}
        with pytest.raises(NotFound):
            goals.delete_stage_mapping(session, profile_id=profile.id, stage="Won")
