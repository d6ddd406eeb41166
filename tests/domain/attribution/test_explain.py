"""Explanations: every touch in order with its window test, raw weight, credit and reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.attribution.explain import explain
from touchline.domain.attribution.models import credits, raw_weights
from touchline.domain.attribution.settings import AttributionSettings, Model
from touchline.domain.attribution.touches import IMPRESSION, SYNTHETIC, Touch

HOUR = 3_600_000_000
DAY = 24 * HOUR
CONVERSION = 100 * DAY
SETTINGS = AttributionSettings()
PATH = [
    Touch(CONVERSION - 35 * DAY, "Paid Search", key=1),  # 5 days outside the click window
    Touch(CONVERSION - 3 * DAY, "Paid Social", key=2),
    Touch(CONVERSION - 2 * DAY, "Email", key=3),
    Touch(CONVERSION - DAY, "Direct", key=4),
]


def reasons(model: Model, path: list[Touch] = PATH) -> list[str]:
    return [t.reason for t in explain(model, path, CONVERSION, SETTINGS).touches]


def test_position_based_names_each_touchs_position_and_share() -> None:
    assert reasons(Model.POSITION_BASED) == [
        "outside the 30-day click window by 5.0 days",
        "touch 1 of 3: 40.0% under position_based (first touch)",
        "touch 2 of 3: 20.0% under position_based (middle touch)",
        "touch 3 of 3: 40.0% under position_based (last touch)",
    ]


def test_last_non_direct_says_direct_was_ignored() -> None:
    assert reasons(Model.LAST_NON_DIRECT)[1:] == [
        "touch 1 of 3: 0.0% under last_non_direct (first touch)",
        "touch 2 of 3: 100.0% under last_non_direct (middle touch)",
        "touch 3 of 3: Direct ignored by last_non_direct",
    ]


def test_first_touch_reports_its_own_window_and_view_windows_in_hours() -> None:
    old = Touch(CONVERSION - 95 * DAY, "Referral", key=1)
    seen = Touch(CONVERSION - 30 * HOUR, "Display", touch_type=IMPRESSION, key=2)
    assert reasons(Model.FIRST_TOUCH, [old, seen]) == [
        "outside the 90-day first-touch window by 5.0 days",
        "outside the 24-hour view window by 6.0 hours",
    ]
    assert not explain(Model.FIRST_TOUCH, [old, seen], CONVERSION, SETTINGS).attributed


def test_touches_after_the_conversion_are_marked() -> None:
    late = Touch(CONVERSION + HOUR, "Email", key=9)
    [only] = explain(Model.LINEAR, [late], CONVERSION, SETTINGS).touches
    assert (only.reason, only.credit, only.weight) == ("after the conversion", 0.0, 0.0)
    assert only.test.gap_us == -HOUR


def test_time_decay_and_engagement_show_what_they_weighed() -> None:
    decay = explain(Model.TIME_DECAY, PATH[1:], CONVERSION, SETTINGS).touches
    assert decay[2].weight == pytest.approx(2 ** (-1 / 7))
    assert decay[2].reason.endswith("(1.0 days before, half-life 7 days)")
    path = [
        Touch(CONVERSION - DAY, "A", engagement_score=60, key=1),
        Touch(CONVERSION, "B", touch_type=SYNTHETIC, key=2),
    ]
    engaged = explain(Model.ENGAGEMENT_WEIGHTED, path, CONVERSION, SETTINGS).touches
    assert [t.weight for t in engaged] == [60.0, 25.0]
    assert (
        engaged[1].reason
        == "touch 2 of 2: 29.4% under engagement_weighted (engagement 0, floor 25)"
    )


def test_data_driven_models_show_the_channel_weight() -> None:
    weights = {"Paid Social": 0.5, "Email": 0.3, "Direct": 0.2}
    touches = explain(Model.MARKOV, PATH, CONVERSION, SETTINGS, channel_weights=weights).touches
    assert [t.weight for t in touches] == [0.0, 0.5, 0.3, 0.2]
    assert touches[1].reason == "touch 1 of 3: 50.0% under markov (Paid Social weight 0.500)"


touch_lists = st.lists(
    st.builds(
        Touch,
        ts_us=st.integers(CONVERSION - 100 * DAY, CONVERSION + DAY),
        channel=st.sampled_from(["Direct", "Email", "Paid Social"]),
        touch_type=st.sampled_from(["session", "synthetic", "impression"]),
        engagement_score=st.integers(0, 100),
        key=st.integers(0, 1000),
    ),
    max_size=8,
)


@given(path=touch_lists, model=st.sampled_from(list(Model)))
def test_an_explanation_agrees_with_the_model(path: list[Touch], model: Model) -> None:
    weights = {"Direct": 0.1, "Email": 0.6, "Paid Social": 0.3}
    got = explain(model, path, CONVERSION, SETTINGS, channel_weights=weights)
    inside = [t for t in got.touches if t.test.in_window]
    expected = credits(model, path, CONVERSION, SETTINGS, channel_weights=weights)
    raw = raw_weights(model, path, CONVERSION, SETTINGS, channel_weights=weights)
    assert len(got.touches) == len(path)
    assert [t.credit for t in inside] == expected
    assert [t.weight for t in inside] == raw
    assert got.attributed == bool(expected)
    assert [(t.test.touch.ts_us, t.test.touch.key) for t in got.touches] == sorted(
        (t.ts_us, t.key) for t in path
    )
