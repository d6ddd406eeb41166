"""A profile's attribution settings: the models by their API names, windows and weights.

Ranges are the spec's (CHECKLIST §3.9); a value outside one is refused with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Model(StrEnum):
    """Every model the API accepts; the first nine are the spec's, the last two are data-driven."""

    LAST_TOUCH = "last_touch"
    FIRST_TOUCH = "first_touch"
    SPLIT_50_50 = "split_50_50"
    LINEAR = "linear"
    POSITION_BASED = "position_based"
    TIME_DECAY = "time_decay"
    LAST_NON_DIRECT = "last_non_direct"
    CUSTOM_WEIGHTED = "custom_weighted"
    ENGAGEMENT_WEIGHTED = "engagement_weighted"
    MARKOV = "markov"
    SHAPLEY = "shapley"


DEFAULT_MODEL: Final = Model.LAST_TOUCH
RULE_BASED: Final = tuple(m for m in Model if m not in (Model.MARKOV, Model.SHAPLEY))
DATA_DRIVEN: Final = (Model.MARKOV, Model.SHAPLEY)

CLICK_WINDOW_DAYS: Final = range(1, 366)
VIEW_WINDOW_HOURS: Final = range(1, 169)
FIRST_TOUCH_WINDOW_DAYS: Final = range(1, 366)
HALF_LIFE_DAYS: Final = (0.1, 365.0)


class SettingsError(ValueError):
    """An attribution setting outside its documented range."""


@dataclass(frozen=True, slots=True)
class CustomWeights:
    """`custom_weighted`: shares of the first, middle (split equally) and last touches, as
    percentages summing to 100. Default 40/20/40 until the profile sets its own."""

    first: int = 40
    middle: int = 20
    last: int = 40

    def __post_init__(self) -> None:
        parts = (self.first, self.middle, self.last)
        if any(p < 0 or p > 100 for p in parts) or sum(parts) != 100:
            raise SettingsError(
                f"custom weights must be 0-100 each and sum to 100, not {'/'.join(map(str, parts))}"
            )


@dataclass(frozen=True, slots=True)
class AttributionSettings:
    click_window_days: int = 30
    view_window_hours: int = 24
    first_touch_window_days: int = 90
    half_life_days: float = 7.0  # time_decay (CHECKLIST §9 #29)
    weights: CustomWeights = CustomWeights()

    def __post_init__(self) -> None:
        _check(self.click_window_days, CLICK_WINDOW_DAYS, "click window", "days")
        _check(self.view_window_hours, VIEW_WINDOW_HOURS, "view-through window", "hours")
        _check(self.first_touch_window_days, FIRST_TOUCH_WINDOW_DAYS, "first-touch window", "days")
        low, high = HALF_LIFE_DAYS
        if not low <= self.half_life_days <= high:
            raise SettingsError(f"time-decay half-life must be {low}-{high} days")

    @property
    def click_window_us(self) -> int:
        return self.click_window_days * 86_400_000_000

    @property
    def view_window_us(self) -> int:
        return self.view_window_hours * 3_600_000_000

    @property
    def first_touch_window_us(self) -> int:
        return self.first_touch_window_days * 86_400_000_000

    @property
    def half_life_us(self) -> int:
        return round(self.half_life_days * 86_400_000_000)


def _check(value: int, allowed: range, what: str, unit: str) -> None:
    if value not in allowed:
        low, high = allowed.start, allowed.stop - 1
        raise SettingsError(f"{what} must be {low}-{high} {unit}, not {value}")
