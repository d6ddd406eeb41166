"""Attribution windows: which touches may take credit for a conversion (CHECKLIST §3.9, §9 #28,
#61). A touch counts iff 0 ≤ conversion time - touch time ≤ its window, as an exact duration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from touchline.domain.attribution.settings import AttributionSettings, Model
from touchline.domain.attribution.touches import IMPRESSION, Touch


@dataclass(frozen=True, slots=True)
class WindowTest:
    touch: Touch
    gap_us: int  # conversion time - touch time
    window: str  # click | view | first_touch
    limit_us: int
    in_window: bool


def window_of(touch: Touch, settings: AttributionSettings, model: Model) -> tuple[str, int]:
    """Impressions only ever use the view-through window; first_touch looks back further."""
    if touch.touch_type == IMPRESSION:
        return "view", settings.view_window_us
    if model is Model.FIRST_TOUCH:
        return "first_touch", settings.first_touch_window_us
    return "click", settings.click_window_us


def ordered(touches: Sequence[Touch]) -> list[Touch]:
    return sorted(touches, key=lambda t: (t.ts_us, t.key))


def window_tests(
    touches: Sequence[Touch], conversion_ts_us: int, settings: AttributionSettings, *, model: Model
) -> list[WindowTest]:
    tests = []
    for touch in ordered(touches):
        window, limit = window_of(touch, settings, model)
        gap = conversion_ts_us - touch.ts_us
        tests.append(WindowTest(touch, gap, window, limit, 0 <= gap <= limit))
    return tests


def eligible(
    touches: Sequence[Touch], conversion_ts_us: int, settings: AttributionSettings, *, model: Model
) -> list[Touch]:
    tests = window_tests(touches, conversion_ts_us, settings, model=model)
    return [test.touch for test in tests if test.in_window]
