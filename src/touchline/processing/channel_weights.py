"""Fit the data-driven models (markov, shapley) of a profile from its journeys and store one
weight per channel in `channel_weights`; credits then split each path by these weights."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from touchline.domain.attribution.markov import markov_weights
from touchline.domain.attribution.shapley import shapley_weights
from touchline.ingest.context import ProfileContext
from touchline.processing import credit_queries as q
from touchline.processing.versions import Clock, drop_superseded, next_version, wall_clock_us
from touchline.store.base import EventStore, Sql
from touchline.store.schema import CHANNEL_WEIGHTS, arrow_schema

REFIT_GROWTH: Final = 0.10  # refit when converting paths grew by 10 % since the last fit
SCHEMA = arrow_schema(CHANNEL_WEIGHTS.columns)


def journey_paths(store: EventStore, profile: ProfileContext) -> dict[tuple[str, ...], list[int]]:
    """Unique channel paths → [conversions, non-converting journeys]."""
    params = {"profile": profile.profile_id, "click_us": profile.attribution.click_window_us}
    counts: dict[tuple[str, ...], list[int]] = {}
    for converting in (True, False):
        rows = store.query_arrow(Sql(q.path_touches(converting=converting), params))
        for path, n in _grouped_paths(rows).items():
            counts.setdefault(path, [0, 0])[0 if converting else 1] += n
    return counts


def _grouped_paths(rows: pa.Table) -> Mapping[tuple[str, ...], int]:
    """Count each distinct channel sequence of `rows` (sorted by path, then time). Journeys of
    one length are rows of a matrix of channel codes, each packed into one integer when it
    fits, so numpy counts distinct paths exactly and Python only touches those."""
    if rows.num_rows == 0:
        return {}
    channel = pc.dictionary_encode(rows["channel"].combine_chunks())
    names = channel.dictionary.to_pylist()
    codes = channel.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    journey = rows["path_id"].combine_chunks().to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.concatenate(([True], journey[1:] != journey[:-1])))
    lengths = np.diff(np.append(starts, len(journey)))
    counts: dict[tuple[str, ...], int] = {}
    for length in np.unique(lengths).tolist():
        matrix = codes[starts[lengths == length][:, None] + np.arange(length)]
        distinct, times = _distinct_rows(matrix, bits=max(1, (len(names) - 1).bit_length()))
        for path, n in zip(distinct.tolist(), times.tolist(), strict=True):
            counts[tuple(names[c] for c in path)] = n
    return counts


def _distinct_rows(
    matrix: npt.NDArray[np.int64], *, bits: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct rows and how often each occurs; a row of codes below 2**bits is one integer
    when it fits in 63 bits (a 1-D unique is far cheaper than a row-wise one)."""
    if bits * matrix.shape[1] > 63:
        distinct, times = np.unique(matrix, axis=0, return_counts=True)
        return distinct, times
    packed = matrix @ (np.int64(1) << (bits * np.arange(matrix.shape[1], dtype=np.int64)))
    _, first, times = np.unique(packed, return_index=True, return_counts=True)
    return matrix[first], times


def fit_channel_weights(
    *, store: EventStore, profile: ProfileContext, clock: Clock = wall_clock_us
) -> int:
    """Refit both models; returns the converting paths used."""
    paths = {p: (c[0], c[1]) for p, c in journey_paths(store, profile).items()}
    converting = sum(c for c, _ in paths.values())
    markov = markov_weights(paths)
    shapley = shapley_weights(paths)
    rows: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    with store.transaction():
        version = next_version(store, "channel_weights", clock)
        for model, weights, effects in (
            ("markov", markov.weights, markov.removal_effects),
            ("shapley", shapley, {}),
        ):
            for channel in sorted(weights) or [""]:  # an empty fit still records `paths`
                _row(rows, profile.profile_id, model, channel, weights.get(channel, 0.0),
                     effects.get(channel, 0.0), converting, version)  # fmt: skip
        store.append("channel_weights", pa.table(rows, schema=SCHEMA))
        drop_superseded(store, "channel_weights", "profile_id || ':' || model", version)
    return converting


def _row(rows: dict[str, list[object]], profile_id: str, model: str, channel: str,
         weight: float, effect: float, paths: int, version: int) -> None:  # fmt: skip
    for name, value in zip(
        SCHEMA.names, (profile_id, model, channel, weight, effect, paths, version), strict=True
    ):
        rows[name].append(value)


def weights_stale(*, store: EventStore, profile_id: str) -> bool:
    """No fit yet, or eligible conversions grew by REFIT_GROWTH since the last one."""
    [(fitted,)] = store.query(
        Sql(
            "SELECT max(paths) FROM channel_weights WHERE profile_id = $p AND model = 'markov'",
            {"p": profile_id},
        )
    )
    [(now,)] = store.query(
        Sql(
            "SELECT count(*) FROM conversions WHERE profile_id = $p AND attribution_eligible"
            " AND refund_of = ''",
            {"p": profile_id},
        )
    )
    if fitted is None:
        return int(now) > 0
    return int(now) >= (1 + REFIT_GROWTH) * max(int(fitted), 1)
