"""Channel-level Shapley values for the coalition game v(S) = conversions of the paths whose
channels all lie in S. That game is a sum of unanimity games (one per path), so the exact
Shapley value gives each path's conversions in equal parts to its distinct channels: exact for
any number of channels, in one pass over the unique paths."""

from __future__ import annotations

from collections import defaultdict

from touchline.domain.attribution.markov import PathCounts


def shapley_weights(paths: PathCounts) -> dict[str, float]:
    values: dict[str, float] = defaultdict(float)
    for path, (conversions, _nulls) in paths.items():
        members = set(path)
        if conversions <= 0 or not members:
            continue
        for channel in members:
            values[channel] += conversions / len(members)
    total = sum(values.values())
    return {c: v / total for c, v in sorted(values.items())} if total > 0 else {}
