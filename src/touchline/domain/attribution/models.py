"""The attribution models: each turns a conversion's eligible touches into credits summing to 1.

Definitions in docs/attribution.md; the SQL engine (processing/credit_queries.py) computes the
same numbers set-based and is tested against these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from touchline.domain.attribution.settings import DATA_DRIVEN, AttributionSettings, Model
from touchline.domain.attribution.touches import DIRECT, Touch, engagement_weight
from touchline.domain.attribution.windows import eligible

Rule = Callable[[Sequence[Touch], int, AttributionSettings], list[float]]


def credits(
    model: Model,
    touches: Sequence[Touch],
    conversion_ts_us: int,
    settings: AttributionSettings,
    *,
    channel_weights: Mapping[str, float] | None = None,
) -> list[float]:
    """One credit per eligible touch (in `eligible(...)` order), summing to 1; [] when no touch
    is eligible (the conversion is unattributed)."""
    path = eligible(touches, conversion_ts_us, settings, model=model)
    if not path:
        return []
    return _proportional(_weights(model, path, conversion_ts_us, settings, channel_weights))


def raw_weights(
    model: Model,
    touches: Sequence[Touch],
    conversion_ts_us: int,
    settings: AttributionSettings,
    *,
    channel_weights: Mapping[str, float] | None = None,
) -> list[float]:
    """The model's weight of each eligible touch before normalization (what `explain` shows):
    credits are these divided by their sum, or equal shares when they are all zero."""
    path = eligible(touches, conversion_ts_us, settings, model=model)
    if not path:
        return []
    return _weights(model, path, conversion_ts_us, settings, channel_weights)


def _weights(
    model: Model,
    path: Sequence[Touch],
    conversion_ts_us: int,
    settings: AttributionSettings,
    channel_weights: Mapping[str, float] | None,
) -> list[float]:
    if model in DATA_DRIVEN:
        return [max((channel_weights or {}).get(t.channel, 0.0), 0.0) for t in path]
    return RULES[model](path, conversion_ts_us, settings)


def _last(path: Sequence[Touch], _ts: int, _s: AttributionSettings) -> list[float]:
    return [0.0] * (len(path) - 1) + [1.0]


def _first(path: Sequence[Touch], _ts: int, _s: AttributionSettings) -> list[float]:
    return [1.0] + [0.0] * (len(path) - 1)


def _split(path: Sequence[Touch], _ts: int, _s: AttributionSettings) -> list[float]:
    if len(path) == 1:
        return [1.0]
    return [0.5] + [0.0] * (len(path) - 2) + [0.5]


def _linear(path: Sequence[Touch], _ts: int, _s: AttributionSettings) -> list[float]:
    return [1.0] * len(path)


def _positions(path: Sequence[Touch], first: float, middle: float, last: float) -> list[float]:
    """First/middle/last shares; middles split `middle`; absent positions renormalized."""
    n = len(path)
    if n == 1:
        return [1.0]
    if n == 2:
        return [first, last]
    return [first] + [middle / (n - 2)] * (n - 2) + [last]


def _position_based(path: Sequence[Touch], _ts: int, _s: AttributionSettings) -> list[float]:
    return _positions(path, 0.4, 0.2, 0.4)


def _custom(path: Sequence[Touch], _ts: int, settings: AttributionSettings) -> list[float]:
    w = settings.weights
    return _positions(path, w.first, w.middle, w.last)  # percentages


def _time_decay(path: Sequence[Touch], ts: int, settings: AttributionSettings) -> list[float]:
    half_life = settings.half_life_us
    return [2.0 ** (-(ts - t.ts_us) / half_life) for t in path]


def _last_non_direct(path: Sequence[Touch], _ts: int, _s: AttributionSettings) -> list[float]:
    chosen = max((i for i, t in enumerate(path) if t.channel != DIRECT), default=len(path) - 1)
    return [1.0 if i == chosen else 0.0 for i in range(len(path))]


def _engagement(path: Sequence[Touch], _ts: int, _s: AttributionSettings) -> list[float]:
    return [float(engagement_weight(t)) for t in path]


def _proportional(weights: Sequence[float]) -> list[float]:
    """Weights over their sum; equal shares when every weight is zero (a path of zero-weight
    touches is still the path that converted)."""
    total = sum(weights)
    if total <= 0:
        return [1.0 / len(weights)] * len(weights)
    return [w / total for w in weights]


RULES: dict[Model, Rule] = {
    Model.LAST_TOUCH: _last,
    Model.FIRST_TOUCH: _first,
    Model.SPLIT_50_50: _split,
    Model.LINEAR: _linear,
    Model.POSITION_BASED: _position_based,
    Model.TIME_DECAY: _time_decay,
    Model.LAST_NON_DIRECT: _last_non_direct,
    Model.CUSTOM_WEIGHTED: _custom,
    Model.ENGAGEMENT_WEIGHTED: _engagement,
}
