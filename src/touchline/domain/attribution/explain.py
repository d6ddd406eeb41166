"""Why a touch got its credit: the ordered touches, each one's window test, and its share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from touchline.domain.attribution.models import credits
from touchline.domain.attribution.settings import AttributionSettings, Model
from touchline.domain.attribution.touches import DIRECT, Touch
from touchline.domain.attribution.windows import WindowTest, window_tests

DAY_US = 86_400_000_000


@dataclass(frozen=True, slots=True)
class ExplainedTouch:
    test: WindowTest
    credit: float  # 0 for touches outside the window
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
    shares = iter(
        credits(model, touches, conversion_ts_us, settings, channel_weights=channel_weights)
    )
    inside = [t for t in tests if t.in_window]
    out = []
    for test in tests:
        credit = next(shares) if test.in_window else 0.0
        out.append(ExplainedTouch(test, credit, _reason(model, test, credit, inside)))
    return Explanation(model, tuple(out))


def _reason(model: Model, test: WindowTest, credit: float, inside: list[WindowTest]) -> str:
    if not test.in_window:
        if test.gap_us < 0:
            return "after the conversion"
        late = (test.gap_us - test.limit_us) / DAY_US
        limit = f"{test.limit_us / DAY_US:g}-day"
        return f"outside the {limit} {test.window} window by {late:.1f} days"
    position = inside.index(test) + 1
    where = f"touch {position} of {len(inside)}"
    if model is Model.LAST_NON_DIRECT and test.touch.channel == DIRECT and credit == 0:
        return f"{where}: Direct ignored by last_non_direct"
    return f"{where}: {credit:.1%} under {model.value}"
