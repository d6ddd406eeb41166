"""Goals: the spec's defaults, matching, refused sources and CRM stage mapping (§3.6, §3.7, §9)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.goals import (
    DEFAULT_GOALS,
    NEVER_CONVERSIONS,
    PIPELINE_KEYS,
    RESERVED_SOURCES,
    GoalDefinition,
    GoalError,
    check_goal,
    match,
    stage_goal,
    stage_key,
)
from touchline.domain.revenue import RevenueType

R = RevenueType
KNOWN_KEYS = {g.key for g in DEFAULT_GOALS} | set(PIPELINE_KEYS)


def goal(key: str = "trial_started", *sources: str, kind: R = R.PIPELINE) -> GoalDefinition:
    return GoalDefinition(key, key.replace("_", " ").title(), sources or (key,), kind)


def test_new_profiles_get_the_six_spec_goals_with_their_revenue_types() -> None:
    assert [(g.key, g.revenue_type, g.source_events) for g in DEFAULT_GOALS] == [
        ("payment_received", R.CASH, ("payment_received",)),
        ("lead_created", R.PIPELINE, ("lead_created",)),
        ("appointment_booked", R.PIPELINE, ("appointment_booked",)),
        ("closed_won", R.PIPELINE, ("closed_won",)),
        ("order_placed", R.GROSS, ("order_placed",)),
        ("contact_reply", R.PIPELINE, ("contact_reply",)),
    ]
    assert all(g.attribution_eligible for g in DEFAULT_GOALS)
    # Only payments are cash: the only money in revenue and ROAS.
    assert [g.key for g in DEFAULT_GOALS if g.revenue_type is R.CASH] == ["payment_received"]


def test_extra_pipeline_keys_are_recognized_but_not_created() -> None:
    assert set(PIPELINE_KEYS) == {"qualified", "showed", "disqualified", "no_show", "closed_lost"}
    assert not set(PIPELINE_KEYS) & {g.key for g in DEFAULT_GOALS}


def test_track_and_revenue_events_match_goals_by_name() -> None:
    custom = goal("trial_started", "trial_started", "trial_begun")
    goals = (*DEFAULT_GOALS, custom)
    assert match("track", "payment_received", goals) == DEFAULT_GOALS[0]
    assert match("revenue", "order_placed", goals) == DEFAULT_GOALS[4]
    assert match("track", "trial_begun", goals) == custom
    assert match("track", "newsletter_signup", goals) is None


@pytest.mark.parametrize("event_type", ["engagement", "impression", "consent", "identify"])
def test_engagement_and_system_event_types_never_match(event_type: str) -> None:
    assert match(event_type, "payment_received", DEFAULT_GOALS) is None


def test_page_views_never_match_even_when_a_goal_names_them() -> None:
    sneaky = GoalDefinition("views", "Views", ("page_view",), R.PIPELINE)
    assert match("page_view", "page_view", (sneaky,)) is None
    assert match("track", "page_view", (sneaky,)) is None


@pytest.mark.parametrize("name", sorted(NEVER_CONVERSIONS))
def test_a_custom_goal_may_not_use_an_engagement_or_system_event(name: str) -> None:
    with pytest.raises(GoalError, match="never become conversions"):
        check_goal(goal("bad", name))


@pytest.mark.parametrize("name", sorted(RESERVED_SOURCES))
def test_refund_and_stage_events_keep_their_own_rules(name: str) -> None:
    with pytest.raises(GoalError, match="built-in rules"):
        check_goal(goal("bad", name))


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (goal("Trial"), "lowercase"),
        (goal("1trial"), "lowercase"),
        (GoalDefinition("trial", "Trial", (), R.CASH), "at least one source"),
        (GoalDefinition("trial", " ", ("t",), R.CASH), "needs a name"),
        (goal("trial", "x" * 201), "1-200 characters"),
    ],
)
def test_malformed_goals_are_refused_with_a_reason(
    definition: GoalDefinition, message: str
) -> None:
    with pytest.raises(GoalError, match=message):
        check_goal(definition)


def test_a_valid_custom_goal_passes_unchanged() -> None:
    trial = goal("trial_started", "trial_started", kind=R.CASH)
    assert check_goal(trial) is trial


@pytest.mark.parametrize(
    ("stage", "first", "expected"),
    [
        ("New Lead", False, "lead_created"),
        ("Leads", False, "lead_created"),
        ("Appointment Set", False, "appointment_booked"),
        ("Appointments", False, "appointment_booked"),
        ("Call Booked", False, "appointment_booked"),
        ("Closed Won", False, "closed_won"),
        ("closed - WON", False, "closed_won"),
        ("Closed Lost", False, "closed_lost"),  # §9 #9: "closed" never makes a loss a win
        ("Lost Lead", False, "closed_lost"),
        ("Qualified", False, "qualified"),
        ("Qualified Lead", False, "qualified"),
        ("Disqualified", False, "disqualified"),
        ("Unqualified", False, "disqualified"),
        ("Not Qualified", False, "disqualified"),
        ("Showed", False, "showed"),
        ("No Show", False, "no_show"),
        ("No-Show", False, "no_show"),
        ("Appointment No Show", False, "no_show"),
        ("Contacted", True, "lead_created"),  # the first stage is a lead whatever its name
        ("Contacted", False, None),
        ("Closed", False, None),
        ("Won't buy", False, None),
        ("Won\u2019t buy", False, None),
        ("Reset password", False, None),
        ("", False, None),
    ],
)
def test_stage_names_map_to_goals_by_the_ordered_keyword_rules(
    stage: str, first: bool, expected: str | None
) -> None:
    assert stage_goal(stage, is_first_stage=first, overrides={}) == expected


def test_a_profile_override_wins_and_empty_means_not_a_conversion() -> None:
    overrides = {"closed lost": "closed_won", "new lead": ""}
    assert stage_goal("  Closed   LOST ", is_first_stage=False, overrides=overrides) == "closed_won"
    assert stage_goal("New Lead", is_first_stage=True, overrides=overrides) is None


def test_stage_keys_ignore_case_and_spacing() -> None:
    assert stage_key("  Appointment \t SET ") == "appointment set"


stage_names = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz -'WONLST"), max_size=30)


@given(stage_names, st.booleans(), st.sampled_from(sorted(KNOWN_KEYS | {""})))
def test_an_override_always_decides(stage: str, first: bool, key: str) -> None:
    assert stage_goal(stage, is_first_stage=first, overrides={stage_key(stage): key}) == (
        key or None
    )


@given(stage_names, st.booleans())
def test_a_stage_maps_to_a_known_key_or_nothing(stage: str, first: bool) -> None:
    assert stage_goal(stage, is_first_stage=first, overrides={}) in KNOWN_KEYS | {None}


@given(stage_names, st.booleans())
def test_a_lost_stage_is_never_a_win(stage: str, first: bool) -> None:
    words = set(re.findall(r"[a-z0-9]+(?:'[a-z]+)?", stage.lower()))
    if "lost" in words and "won" not in words:
        assert stage_goal(stage, is_first_stage=first, overrides={}) != "closed_won"


@given(stage_names)
def test_being_the_first_stage_only_fills_in_an_unmapped_stage(stage: str) -> None:
    later = stage_goal(stage, is_first_stage=False, overrides={})
    first = stage_goal(stage, is_first_stage=True, overrides={})
    assert first == (later or "lead_created")
