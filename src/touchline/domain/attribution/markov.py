"""First-order Markov-chain attribution: each channel's removal effect (ChannelAttribution's
definition), fitted exactly by solving the absorbing chain rather than by simulation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

PathCounts = Mapping[tuple[str, ...], tuple[int, int]]
"""A channel path → (conversions, non-converting journeys) that followed it."""


@dataclass(frozen=True, slots=True)
class MarkovFit:
    weights: dict[str, float]  # removal effects normalized to sum to 1
    removal_effects: dict[str, float]
    conversion_probability: float


def markov_weights(paths: PathCounts) -> MarkovFit:
    channels = sorted({c for path in paths for c in path})
    if not channels:
        return MarkovFit({}, {}, 0.0)
    index = {c: i for i, c in enumerate(channels)}
    n = len(channels)
    # States: 0..n-1 channels, n = start; absorbing: conversion, null.
    moves = np.zeros((n + 1, n + 1))
    to_conv = np.zeros(n + 1)
    to_null = np.zeros(n + 1)
    for path, (conversions, nulls) in paths.items():
        total = conversions + nulls
        if not path or total <= 0:
            continue
        previous = n
        for channel in path:
            moves[previous, index[channel]] += total
            previous = index[channel]
        to_conv[previous] += conversions
        to_null[previous] += nulls
    out = moves.sum(axis=1) + to_conv + to_null
    out[out == 0] = 1.0
    q = moves / out[:, None]
    r = to_conv / out
    base = _conversion_probability(q, r, n)
    effects: dict[str, float] = {}
    for channel, i in index.items():
        removed_q, removed_r = q.copy(), r.copy()
        removed_q[i, :] = 0.0  # removing a channel sends its traffic to null
        removed_r[i] = 0.0
        without = _conversion_probability(removed_q, removed_r, n)
        effects[channel] = max(0.0, (base - without) / base) if base > 0 else 0.0
    total_effect = sum(effects.values())
    weights = {c: (e / total_effect if total_effect > 0 else 0.0) for c, e in effects.items()}
    return MarkovFit(weights, effects, base)


def _conversion_probability(q: np.ndarray, r: np.ndarray, start: int) -> float:
    """Probability that a walk from `start` is absorbed in conversion: x = Qx + r."""
    size = q.shape[0]
    x = np.linalg.solve(np.eye(size) - q + np.eye(size) * 1e-15, r)
    return float(x[start])
