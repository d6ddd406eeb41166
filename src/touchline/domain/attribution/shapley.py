"""Channel-level Shapley values for the coalition game v(S) = conversions of the paths whose
channels all lie in S. That game is a sum of unanimity games (one per path), so the exact
Shapley value gives each path's conversions in equal parts to its distinct channels: exact for
any number of channels, in one pass over the paths (each path's channel set as a bit mask)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from touchline.domain.attribution.paths import PathCounts, PathSet

MASK_BITS = 62  # channel sets as int64 bit masks up to this many channels


def shapley_weights(paths: PathCounts | PathSet) -> dict[str, float]:
    journeys = paths if isinstance(paths, PathSet) else PathSet.of(paths)
    if len(journeys.lengths) == 0:
        return {}
    fits = len(journeys.channels) <= MASK_BITS
    values = _by_masks(journeys) if fits else _by_sets(journeys)
    total = sum(values.values())
    return {c: v / total for c, v in sorted(values.items())} if total > 0 else {}


def _by_masks(paths: PathSet) -> dict[str, float]:
    masks = np.bitwise_or.reduceat(np.left_shift(1, paths.steps), paths.starts)
    members = np.bitwise_count(masks)
    per_member = np.where(paths.conversions > 0, paths.conversions, 0.0) / members
    values: dict[str, float] = {}
    for code, channel in enumerate(paths.channels):
        credit = float(per_member[(masks & (1 << code)) != 0].sum())
        if credit > 0:
            values[channel] = credit
    return values


def _by_sets(paths: PathSet) -> dict[str, float]:
    values: dict[str, float] = defaultdict(float)
    for start, length, conversions in zip(
        paths.starts.tolist(), paths.lengths.tolist(), paths.conversions.tolist(), strict=True
    ):
        members = {paths.channels[c] for c in paths.steps[start : start + length].tolist()}
        if conversions > 0:
            for channel in members:
                values[channel] += conversions / len(members)
    return dict(values)
