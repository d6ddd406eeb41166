"""Parity with the reference libraries on one seeded journey set: DP6's
marketing-attribution-models (`mam`) for the rule-based models, ChannelAttribution for the
Markov removal effect. Definitional differences are written down in docs/attribution.md."""

from __future__ import annotations

import contextlib
import io
from collections import Counter, defaultdict
from collections.abc import Callable

import pandas as pd
import pytest
from tests.parity.journeys import Journey, journeys

from touchline.domain.attribution.markov import markov_weights
from touchline.domain.attribution.models import credits
from touchline.domain.attribution.settings import AttributionSettings, Model
from touchline.domain.attribution.touches import Touch

with contextlib.redirect_stdout(io.StringIO()):  # it prints a banner on import
    from ChannelAttribution import markov_model
from mam import MAM

HOUR = 3_600_000_000
CONVERSION = 10_000 * HOUR
SETTINGS = AttributionSettings(click_window_days=30, first_touch_window_days=30)
JOURNEYS = journeys(3000)
CONVERTING = [j for j in JOURNEYS if j.converted]


def ours(model: Model, sample: list[Journey] = CONVERTING) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for journey in sample:
        touches = [
            Touch(CONVERSION - round(h * HOUR), c, key=i)
            for i, (c, h) in enumerate(zip(journey.channels, journey.hours_before, strict=True))
        ]
        for touch, credit in zip(
            touches, credits(model, touches, CONVERSION, SETTINGS), strict=True
        ):
            totals[touch.channel] += credit
    return dict(totals)


def dp6(run: Callable[[MAM], object], sample: list[Journey] = CONVERTING) -> dict[str, float]:
    frame = pd.DataFrame(
        {
            "journey_id": [str(i) for i in range(len(sample))],
            "path": [" > ".join(j.channels) for j in sample],
            "time_till_end": [" > ".join(repr(h) for h in j.hours_before) for j in sample],
            "converted": [j.converted for j in sample],
        }
    )
    model = MAM(
        frame,
        format_type="journey",
        channels_colname="path",
        journey_with_conv_colname="converted",
        user_id_colname="journey_id",
        time_till_conv_colname="time_till_end",
    )
    result = run(model).to_dict()  # type: ignore[attr-defined]
    return {
        str(c): float(v) for c, v in zip(result["channels"], result["attribution"], strict=True)
    }


def same(a: dict[str, float], b: dict[str, float]) -> None:
    assert a.keys() == b.keys()
    for channel in a:
        assert a[channel] == pytest.approx(b[channel], abs=1e-9), channel


@pytest.mark.parametrize(
    ("model", "run"),
    [
        (Model.LAST_TOUCH, lambda m: m.run_last_click()),
        (Model.FIRST_TOUCH, lambda m: m.run_first_click()),
        (Model.LINEAR, lambda m: m.run_linear()),
        (Model.POSITION_BASED, lambda m: m.run_position_based()),
        # Same definition: 2^(-hours before the conversion / half-life), normalized per journey.
        (Model.TIME_DECAY, lambda m: m.run_time_decay(half_life_hours=7 * 24)),
    ],
)
def test_rule_based_models_match_dp6_per_channel(
    model: Model, run: Callable[[MAM], object]
) -> None:
    same(ours(model), dp6(run))


def test_last_non_direct_is_dp6_last_click_on_paths_without_direct() -> None:
    """DP6's current package has no last-non-direct; by definition it is last click once Direct
    touches are removed (all-Direct paths keep their last touch, §9 #30)."""
    stripped = [
        Journey(
            tuple(c for c in j.channels if c != "Direct") or j.channels[-1:],
            tuple(h for c, h in zip(j.channels, j.hours_before, strict=True) if c != "Direct")
            or j.hours_before[-1:],
            j.converted,
        )
        for j in CONVERTING
    ]
    same(ours(Model.LAST_NON_DIRECT), dp6(lambda m: m.run_last_click(), stripped))


def channel_attribution_paths() -> tuple[pd.DataFrame, dict[tuple[str, ...], tuple[int, int]]]:
    conv, null = Counter[str](), Counter[str]()
    for j in JOURNEYS:
        (conv if j.converted else null)[" > ".join(j.channels)] += 1
    paths = sorted(set(conv) | set(null))
    frame = pd.DataFrame(
        {"path": paths, "conv": [conv[p] for p in paths], "null": [null[p] for p in paths]}
    )
    return frame, {tuple(p.split(" > ")): (conv[p], null[p]) for p in paths}


def test_markov_removal_effects_match_channel_attribution_within_one_percent() -> None:
    """ChannelAttribution estimates by simulation, we solve the chain exactly: with its defaults
    each channel's share of all conversions agrees within one percentage point."""
    frame, paths = channel_attribution_paths()
    with contextlib.redirect_stdout(io.StringIO()):
        reference = markov_model(frame, "path", "conv", var_null="null", verbose=0)
    total = int(frame["conv"].sum())
    theirs = {
        str(c): float(v) / total
        for c, v in zip(reference["channel_name"], reference["total_conversions"], strict=True)
    }
    fit = markov_weights(paths)
    assert fit.weights.keys() == theirs.keys()
    for channel, share in fit.weights.items():
        assert share == pytest.approx(theirs[channel], abs=0.01), channel


def test_markov_removal_effects_are_channel_attributions_without_its_walk_cap() -> None:
    """By default ChannelAttribution stops each simulated walk after as many steps as the
    longest observed path, which shaves every removal effect by ~1 point here; with the cap
    raised to 100 steps and more walks its estimates converge on our exact ones."""
    frame, paths = channel_attribution_paths()
    with contextlib.redirect_stdout(io.StringIO()):
        reference = markov_model(
            frame,
            "path",
            "conv",
            var_null="null",
            verbose=0,
            out_more=True,
            flg_pro=False,
            nsim_start=1e6,
            max_step=100,
            conv_par=0.01,
        )
    effects = reference["removal_effects"]
    theirs = dict(zip(effects["channel_name"], effects["removal_effect"], strict=True))
    fit = markov_weights(paths)
    assert fit.removal_effects.keys() == theirs.keys()
    for channel, effect in fit.removal_effects.items():
        assert effect == pytest.approx(theirs[channel], abs=0.005), channel
