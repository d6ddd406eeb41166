"""Fit the data-driven models (markov, shapley) of a profile from its journeys and store one
weight per channel in `channel_weights`; credits then split each path by these weights."""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from touchline.domain.attribution.markov import markov_weights
from touchline.domain.attribution.paths import PathSet
from touchline.domain.attribution.shapley import shapley_weights
from touchline.domain.attribution.shares import journey_order
from touchline.ingest.context import ProfileContext
from touchline.processing import credit_queries as q
from touchline.processing.credit_rows import numpy_column
from touchline.processing.versions import Clock, drop_superseded, next_version, wall_clock_us
from touchline.store.base import EventStore, Sql
from touchline.store.schema import CHANNEL_WEIGHTS, arrow_schema

REFIT_GROWTH: Final = 0.10  # refit when converting paths grew by 10 % since the last fit
SCHEMA = arrow_schema(CHANNEL_WEIGHTS.columns)


def journey_paths(store: EventStore, profile: ProfileContext) -> dict[tuple[str, ...], list[int]]:
    """Distinct channel paths → [conversions, non-converting journeys]."""
    return journey_path_set(store, profile).counts()


def journey_path_set(store: EventStore, profile: ProfileContext) -> PathSet:
    """Every journey the fits read: each eligible conversion's path and each non-converting
    person's, as flat arrays (no distinct-path grouping: the fits count steps)."""
    params = {"profile": profile.profile_id, "click_us": profile.attribution.click_window_us}
    found = store.query_arrow(q.bound(q.credited_conversions(scoped=False), params))
    ordinal = pa.array(np.arange(found.num_rows, dtype=np.int64))
    inputs = {q.CONVERSION_INPUT: found.append_column("ordinal", ordinal)}
    parts = []
    for converting in (True, False):
        rows = store.query_arrow(
            q.bound(q.path_candidates(converting=converting), params), tables=inputs
        )
        parts.append(_paths(rows, converting=converting))
    return PathSet.joined(parts)


def _paths(rows: pa.Table, *, converting: bool) -> PathSet:
    """The journeys in `rows` (ordinal, gap, touch_key, channel), each oldest first."""
    if rows.num_rows == 0:
        empty = np.zeros(0, np.int64)
        return PathSet((), empty, empty, empty.astype(np.float64), empty.astype(np.float64))
    journey = numpy_column(rows, "ordinal", np.int64)
    order = journey_order(
        journey, numpy_column(rows, "gap", np.int64), numpy_column(rows, "touch_key", np.uint64)
    )
    channel = pc.dictionary_encode(rows["channel"].combine_chunks())
    codes = channel.indices.to_numpy(zero_copy_only=False).astype(np.int64)[order]
    journey = journey[order]
    starts = np.flatnonzero(np.concatenate(([True], journey[1:] != journey[:-1])))
    lengths = np.diff(starts, append=len(journey))
    ones, zeros = np.ones(len(starts)), np.zeros(len(starts))
    return PathSet(
        tuple(channel.dictionary.to_pylist()), codes, lengths,
        ones if converting else zeros, zeros if converting else ones,
    )  # fmt: skip


def fit_channel_weights(
    *, store: EventStore, profile: ProfileContext, clock: Clock = wall_clock_us
) -> int:
    """Refit both models; returns the converting paths used."""
    paths = journey_path_set(store, profile)
    converting = int(paths.conversions.sum())
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
