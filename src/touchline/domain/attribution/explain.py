"""Why a touch got its credit: the ordered touches, each one's window test, the model's raw
weight and the final share, with a one-line reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from touchline.domain.attribution.models import credits, raw_weights
from touchline.domain.attribution.settings import DATA_DRIVEN, AttributionSettings, Model
from touchline.domain.attribution.touches import DIRECT, Touch, engagement_weight
from touchline.domain.attribution.windows import WindowTest, window_tests

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US


@dataclass(frozen=True, slots=True)
class ExplainedTouch:
    test: WindowTest
    weight: float  # the model's raw weight before normalization; 0 outside the window
    credit: float  # the weight normalized over the eligible touches; 0 outside the window
    reason: str


@dataclass(frozen=True, slots=True)
class Explanation:
    model: Model
    touches: tuple[ExplainedTouch, ...]

    @property
    def attributed(self) -> bool:
        return any(t.test.in_window for t in self.touches)


def explain(
    model: Model,
    touches: Sequence[Touch],
    conversion_ts_us: int,
    settings: AttributionSettings,
    *,
    channel_weights: Mapping[str, float] | None = None,
) -> Explanation:
    tests = window_tests(touches, conversion_ts_us, settings, model=model)
    args = (model, touches, conversion_ts_us, settings)
    shares = iter(credits(*args, channel_weights=channel_weights))
    weights = iter(raw_weights(*args, channel_weights=channel_weights))
    inside = [t for t in tests if t.in_window]
    out = []
    for test in tests:
        if not test.in_window:
            out.append(ExplainedTouch(test, 0.0, 0.0, _outside(test)))
            continue
        credit, weight = next(shares), next(weights)
        reason = _inside(model, test, credit, weight, inside, settings)
        out.append(ExplainedTouch(test, weight, credit, reason))
    return Explanation(model, tuple(out))


def _outside(test: WindowTest) -> str:
    if test.gap_us < 0:
        return "after the conversion"
    late_us = test.gap_us - test.limit_us
    if test.window == "view":
        limit = f"{test.limit_us / HOUR_US:g}-hour"
        return f"outside the {limit} view window by {late_us / HOUR_US:.1f} hours"
    limit = f"{test.limit_us / DAY_US:g}-day"
    return (
        f"outside the {limit} {test.window.replace('_', '-')} window by {late_us / DAY_US:.1f} days"
    )


def _inside(
    model: Model,
    test: WindowTest,
    credit: float,
    weight: float,
    inside: list[WindowTest],
    settings: AttributionSettings,
) -> str:
    position = inside.index(test) + 1
    where = f"touch {position} of {len(inside)}"
    if model is Model.LAST_NON_DIRECT and test.touch.channel == DIRECT and credit == 0:
        return f"{where}: Direct ignored by last_non_direct"
    detail = _detail(model, test, weight, position, len(inside), settings)
    return f"{where}: {credit:.1%} under {model.value}" + (f" ({detail})" if detail else "")


def _detail(
    model: Model,
    test: WindowTest,
    weight: float,
    position: int,
    count: int,
    settings: AttributionSettings,
) -> str:
    """What the model looked at for this touch, beyond its position."""
    if model is Model.TIME_DECAY:
        days = test.gap_us / DAY_US
        return f"{days:.1f} days before, half-life {settings.half_life_days:g} days"
    if model is Model.ENGAGEMENT_WEIGHTED:
        score = test.touch.engagement_score
        floor = engagement_weight(test.touch)
        return f"engagement {score}" + (f", floor {floor}" if floor != score else "")
    if model in DATA_DRIVEN:
        return f"{test.touch.channel} weight {weight:.3f}"
    if count == 1:
        return "the only touch"
    if position == 1:
        return "first touch"
    return "last touch" if position == count else "middle touch"
