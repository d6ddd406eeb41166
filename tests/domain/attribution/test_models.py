"""The spec's model pictures, edge cases (CHECKLIST §9 #29, #30) and properties of every model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.attribution.models import credits
from touchline.domain.attribution.settings import (
    RULE_BASED,
    AttributionSettings,
    CustomWeights,
    Model,
    SettingsError,
)
from touchline.domain.attribution.touches import SYNTHETIC, Touch

DAY = 86_400_000_000
HOUR = 3_600_000_000
SETTINGS = AttributionSettings()
CONVERSION = 100 * DAY

# "Ad Click -> Email -> Blog Visit -> [Purchase]" over the last three days.
PATH = [
    Touch(CONVERSION - 3 * DAY, "Paid Social", key=1),
    Touch(CONVERSION - 2 * DAY, "Email", key=2),
    Touch(CONVERSION - 1 * DAY, "Organic Search", key=3),
]


def shares(model: Model, path: list[Touch] = PATH, **kw: object) -> list[float]:
    return [round(c * 100, 1) for c in credits(model, path, CONVERSION, SETTINGS, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (Model.LAST_TOUCH, [0, 0, 100]),
        (Model.FIRST_TOUCH, [100, 0, 0]),
        (Model.SPLIT_50_50, [50, 0, 50]),
        (Model.LINEAR, [33.3, 33.3, 33.3]),
        (Model.POSITION_BASED, [40, 20, 40]),
        (Model.CUSTOM_WEIGHTED, [40, 20, 40]),  # the default weights until a profile sets its own
    ],
)
def test_the_spec_pictures(model: Model, expected: list[float]) -> None:
    assert shares(model) == expected


def test_last_non_direct_skips_direct_and_falls_back_to_last_when_all_direct() -> None:
    path = [PATH[0], PATH[1], Touch(CONVERSION - DAY, "Direct", key=3)]
    assert shares(Model.LAST_NON_DIRECT, path) == [0, 100, 0]
    all_direct = [Touch(CONVERSION - 2 * DAY, "Direct", key=1), Touch(CONVERSION, "Direct", key=2)]
    assert shares(Model.LAST_NON_DIRECT, all_direct) == [0, 100]


def test_time_decay_grows_toward_the_conversion_and_halves_every_half_life() -> None:
    decay = credits(Model.TIME_DECAY, PATH, CONVERSION, SETTINGS)
    assert decay[0] < decay[1] < decay[2]
    week_apart = [Touch(CONVERSION - 7 * DAY, "A", key=1), Touch(CONVERSION, "B", key=2)]
    first, last = credits(Model.TIME_DECAY, week_apart, CONVERSION, SETTINGS)
    assert last == pytest.approx(2 * first)


def test_position_based_edge_cases() -> None:
    assert shares(Model.POSITION_BASED, PATH[:1]) == [100]
    assert shares(Model.POSITION_BASED, PATH[:2]) == [50, 50]
    assert shares(Model.SPLIT_50_50, PATH[:1]) == [100]
    four = [*PATH, Touch(CONVERSION, "Direct", key=4)]
    assert shares(Model.POSITION_BASED, four) == [40, 10, 10, 40]


def test_custom_weights_apply_per_position() -> None:
    custom = AttributionSettings(weights=CustomWeights(first=10, middle=30, last=60))
    got = credits(Model.CUSTOM_WEIGHTED, PATH, CONVERSION, custom)
    assert got == pytest.approx([0.1, 0.3, 0.6])
    two = credits(Model.CUSTOM_WEIGHTED, PATH[:2], CONVERSION, custom)
    assert two == pytest.approx([10 / 70, 60 / 70])


def test_engagement_weighted_follows_scores_with_floors() -> None:
    path = [
        Touch(CONVERSION - 2 * DAY, "A", engagement_score=75, key=1),
        Touch(CONVERSION - DAY, "B", touch_type=SYNTHETIC, key=2),  # floor 25
    ]
    assert credits(Model.ENGAGEMENT_WEIGHTED, path, CONVERSION, SETTINGS) == pytest.approx(
        [0.75, 0.25]
    )
    zeros = [Touch(CONVERSION - DAY, "A", key=1), Touch(CONVERSION, "B", key=2)]
    assert credits(Model.ENGAGEMENT_WEIGHTED, zeros, CONVERSION, SETTINGS) == [0.5, 0.5]


def test_data_driven_models_split_by_channel_weight() -> None:
    weights = {"Paid Social": 0.6, "Email": 0.2, "Organic Search": 0.2}
    got = credits(Model.MARKOV, PATH, CONVERSION, SETTINGS, channel_weights=weights)
    assert got == pytest.approx([0.6, 0.2, 0.2])
    assert credits(Model.SHAPLEY, PATH, CONVERSION, SETTINGS, channel_weights={}) == pytest.approx(
        [1 / 3] * 3
    )


def test_settings_out_of_range_are_refused_with_a_clear_message() -> None:
    with pytest.raises(SettingsError, match="click window must be 1-365 days"):
        AttributionSettings(click_window_days=366)
    with pytest.raises(SettingsError, match="view-through window must be 1-168 hours"):
        AttributionSettings(view_window_hours=0)
    with pytest.raises(SettingsError, match="sum to 100"):
        CustomWeights(first=50, middle=50, last=50)


touch_lists = st.lists(
    st.builds(
        Touch,
        ts_us=st.integers(CONVERSION - 40 * DAY, CONVERSION),
        channel=st.sampled_from(["Direct", "Email", "Paid Social", "Paid Search"]),
        touch_type=st.sampled_from(["session", "synthetic", "impression"]),
        engagement_score=st.integers(0, 100),
        key=st.integers(0, 2**32),
    ),
    max_size=12,
)


@given(path=touch_lists, model=st.sampled_from(RULE_BASED))
def test_credits_are_non_negative_and_sum_to_one(path: list[Touch], model: Model) -> None:
    got = credits(model, path, CONVERSION, SETTINGS)
    assert all(c >= 0 for c in got)
    assert got == [] or abs(sum(got) - 1) < 1e-12


@given(path=touch_lists)
def test_linear_is_invariant_to_input_order(path: list[Touch]) -> None:
    forward = credits(Model.LINEAR, path, CONVERSION, SETTINGS)
    assert credits(Model.LINEAR, list(reversed(path)), CONVERSION, SETTINGS) == forward


@given(path=touch_lists.filter(lambda p: len({(t.ts_us, t.key) for t in p}) == len(p)))
def test_first_and_last_touch_credit_the_extremes(path: list[Touch]) -> None:
    first = credits(Model.FIRST_TOUCH, path, CONVERSION, SETTINGS)
    last = credits(Model.LAST_TOUCH, path, CONVERSION, SETTINGS)
    if last:
        assert last[-1] == 1.0
    if first:
        assert first[0] == 1.0


@given(touch=touch_lists.filter(lambda p: len(p) == 1), model=st.sampled_from(RULE_BASED))
def test_a_single_eligible_touch_takes_everything(touch: list[Touch], model: Model) -> None:
    got = credits(model, touch, CONVERSION, SETTINGS)
    assert got in ([], [1.0])
