"""Journeys as flat arrays, what the data-driven models fit: the channel code of every step,
path after path, each path's length, and how many conversions and non-converting journeys
followed it. A path may repeat: the fits count steps, so they need no distinct paths."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

PathCounts = Mapping[tuple[str, ...], tuple[int, int]]
"""A channel path → (conversions, non-converting journeys) that followed it."""


@dataclass(frozen=True, slots=True)
class PathSet:
    channels: tuple[str, ...]  # code → channel
    steps: Ints  # channel codes, path after path
    lengths: Ints  # steps per path, each ≥ 1
    conversions: Floats  # per path
    nulls: Floats  # per path: journeys that did not convert

    @classmethod
    def of(cls, paths: PathCounts) -> PathSet:
        """The non-empty paths of a mapping (negative counts count as 0)."""
        kept = [path for path in paths if path]
        channels = tuple(sorted(set(chain.from_iterable(kept))))
        index = {c: i for i, c in enumerate(channels)}
        steps = np.fromiter(
            map(index.__getitem__, chain.from_iterable(kept)), np.int64, sum(map(len, kept))
        )
        pairs = chain.from_iterable(map(paths.__getitem__, kept))
        counts = np.fromiter(pairs, np.float64, 2 * len(kept)).reshape(-1, 2).clip(min=0)
        lengths = np.fromiter(map(len, kept), np.int64, len(kept))
        return cls(channels, steps, lengths, counts[:, 0], counts[:, 1])

    @classmethod
    def joined(cls, parts: Sequence[PathSet]) -> PathSet:
        """One set of every part's paths (at least one part), with one channel code list."""
        channels = tuple(sorted(set(chain.from_iterable(p.channels for p in parts))))
        index = {c: i for i, c in enumerate(channels)}

        def recoded(part: PathSet) -> Ints:
            codes = np.array([index[c] for c in part.channels], np.int64)
            return codes[part.steps] if len(codes) else part.steps

        return cls(
            channels,
            np.concatenate([recoded(p) for p in parts]),
            np.concatenate([p.lengths for p in parts]),
            np.concatenate([p.conversions for p in parts]),
            np.concatenate([p.nulls for p in parts]),
        )

    @property
    def starts(self) -> Ints:
        starts: Ints = np.cumsum(self.lengths) - self.lengths
        return starts

    def counts(self) -> dict[tuple[str, ...], list[int]]:
        """Each distinct path → [conversions, non-converting journeys] (for reading, not fits)."""
        out: dict[tuple[str, ...], list[int]] = {}
        for start, length, conv, null in zip(
            self.starts.tolist(), self.lengths.tolist(), self.conversions.tolist(),
            self.nulls.tolist(), strict=True,
        ):  # fmt: skip
            path = tuple(self.channels[c] for c in self.steps[start : start + length].tolist())
            total = out.setdefault(path, [0, 0])
            total[0] += int(conv)
            total[1] += int(null)
        return out
