"""First-order Markov-chain attribution: each channel's removal effect (ChannelAttribution's
definition), fitted exactly by solving the absorbing chain rather than by simulation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from touchline.domain.attribution.paths import PathCounts, PathSet

__all__ = ["MarkovFit", "PathCounts", "markov_weights"]

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class MarkovFit:
    weights: dict[str, float]  # removal effects normalized to sum to 1
    removal_effects: dict[str, float]
    conversion_probability: float


@dataclass(frozen=True, slots=True)
class _Chain:
    """Transition probabilities between channel states 0..n-1 and the start state n, and each
    state's probability of stepping straight into conversion; the rest of a row goes to null."""

    q: Floats
    r: Floats
    used: tuple[int, ...]  # channel states some journey reached


def markov_weights(paths: PathCounts | PathSet) -> MarkovFit:
    journeys = paths if isinstance(paths, PathSet) else PathSet.of(paths)
    fitted = _chain(journeys)
    if fitted is None:
        return MarkovFit({}, {}, 0.0)
    base = _conversion_probability(fitted)
    effects: dict[str, float] = {}
    for i in fitted.used:
        without = _conversion_probability(_removed(fitted, i))
        effects[journeys.channels[i]] = max(0.0, (base - without) / base) if base > 0 else 0.0
    total_effect = sum(effects.values())
    weights = {c: (e / total_effect if total_effect > 0 else 0.0) for c, e in effects.items()}
    return MarkovFit(weights, effects, base)


def _chain(paths: PathSet) -> _Chain | None:
    """Counts every step of every path at once: start → c1 → … → ck → conversion/null, each
    step weighted by how many journeys followed that path. None when no path was followed."""
    n, size = len(paths.channels), len(paths.channels) + 1
    steps, lengths = paths.steps, paths.lengths
    conversions, nulls = paths.conversions.clip(min=0), paths.nulls.clip(min=0)
    followed = conversions + nulls
    # One journey per path (as the store's paths are): unweighted counts, the same sums.
    journeys = None if bool((followed == 1).all()) else np.repeat(followed, lengths)
    used = np.flatnonzero(np.bincount(steps, None if journeys is None else journeys > 0, n))
    if used.size == 0:
        return None
    ends = np.cumsum(lengths) - 1
    sources = np.empty_like(steps)
    sources[1:] = steps[:-1]
    sources[ends - lengths + 1] = n  # every path leaves the start state first
    sources *= size
    sources += steps
    moves = np.bincount(sources, journeys, size * size).reshape(size, size).astype(np.float64)
    to_conversion = np.bincount(steps[ends], conversions, size)
    leaving = moves.sum(axis=1) + to_conversion + np.bincount(steps[ends], nulls, size)
    leaving[leaving == 0] = 1.0
    return _Chain(moves / leaving[:, None], to_conversion / leaving, tuple(used.tolist()))


def _removed(fitted: _Chain, state: int) -> _Chain:
    """Removing a channel sends every walk that reaches it to null (ChannelAttribution)."""
    q, r = fitted.q.copy(), fitted.r.copy()
    q[state, :] = 0.0
    r[state] = 0.0
    return _Chain(q, r, fitted.used)


def _conversion_probability(fitted: _Chain) -> float:
    """Probability that a walk from the start is absorbed in conversion: x = Qx + r. Every path
    ends in an absorbing state, so I - Q is invertible."""
    size = fitted.q.shape[0]
    x = np.linalg.solve(np.eye(size) - fitted.q, fitted.r)
    return float(x[size - 1])
