"""First-order Markov-chain attribution: each channel's removal effect (ChannelAttribution's
definition), fitted exactly by solving the absorbing chain rather than by simulation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

PathCounts = Mapping[tuple[str, ...], tuple[int, int]]
"""A channel path → (conversions, non-converting journeys) that followed it."""

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


def markov_weights(paths: PathCounts) -> MarkovFit:
    counted = {p: (max(c, 0), max(x, 0)) for p, (c, x) in paths.items() if p and c + x > 0}
    channels = sorted({c for path in counted for c in path})
    if not channels:
        return MarkovFit({}, {}, 0.0)
    chain = _chain(counted, channels)
    base = _conversion_probability(chain)
    effects: dict[str, float] = {}
    for i, channel in enumerate(channels):
        without = _conversion_probability(_removed(chain, i))
        effects[channel] = max(0.0, (base - without) / base) if base > 0 else 0.0
    total_effect = sum(effects.values())
    weights = {c: (e / total_effect if total_effect > 0 else 0.0) for c, e in effects.items()}
    return MarkovFit(weights, effects, base)


def _chain(paths: PathCounts, channels: list[str]) -> _Chain:
    """Counts every step of every unique path at once: start → c1 → … → ck → conversion/null,
    each step weighted by how many journeys followed that path."""
    n = len(channels)
    index = {c: i for i, c in enumerate(channels)}
    lengths = np.fromiter((len(p) for p in paths), np.int64, len(paths))
    steps = np.fromiter((index[c] for p in paths for c in p), np.int64, int(lengths.sum()))
    conversions = np.fromiter((c for c, _ in paths.values()), np.float64, len(paths))
    nulls = np.fromiter((x for _, x in paths.values()), np.float64, len(paths))
    ends = np.cumsum(lengths) - 1
    sources = np.roll(steps, 1)
    sources[ends - lengths + 1] = n  # every path leaves the start state first
    journeys = np.repeat(conversions + nulls, lengths)
    size = n + 1
    moves = np.bincount(sources * size + steps, journeys, size * size).reshape(size, size)
    to_conversion = np.bincount(steps[ends], conversions, size)
    leaving = moves.sum(axis=1) + to_conversion + np.bincount(steps[ends], nulls, size)
    leaving[leaving == 0] = 1.0
    return _Chain(moves / leaving[:, None], to_conversion / leaving)


def _removed(chain: _Chain, state: int) -> _Chain:
    """Removing a channel sends every walk that reaches it to null (ChannelAttribution)."""
    q, r = chain.q.copy(), chain.r.copy()
    q[state, :] = 0.0
    r[state] = 0.0
    return _Chain(q, r)


def _conversion_probability(chain: _Chain) -> float:
    """Probability that a walk from the start is absorbed in conversion: x = Qx + r. Every path
    ends in an absorbing state, so I - Q is invertible."""
    size = chain.q.shape[0]
    x = np.linalg.solve(np.eye(size) - chain.q, chain.r)
    return float(x[size - 1])
