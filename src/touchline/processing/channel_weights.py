"""Fit the data-driven models (markov, shapley) of a profile from its journeys and store one
weight per channel in `channel_weights`; credits then split each path by these weights."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from touchline.domain.attribution.markov import MarkovFit, markov_weights
from touchline.domain.attribution.paths import Ints, PathSet
from touchline.domain.attribution.shapley import shapley_weights
from touchline.domain.attribution.shares import codes_in_journey_order, journey_order
from touchline.ingest.context import ProfileContext
from touchline.processing import credit_queries as q
from touchline.processing.credit_rows import numpy_column
from touchline.processing.versions import Clock, drop_superseded, next_version, wall_clock_us
from touchline.store.base import EventStore, Sql
from touchline.store.schema import CHANNEL_WEIGHTS, arrow_schema

Codes = npt.NDArray[np.unsignedinteger[Any]]
REFIT_GROWTH: Final = 0.10  # refit when converting paths grew by 10 % since the last fit
SCHEMA = arrow_schema(CHANNEL_WEIGHTS.columns)
READ_ATTEMPTS: Final = 3  # reads of the channels and the journeys (see journey_path_set)


def journey_paths(store: EventStore, profile: ProfileContext) -> dict[tuple[str, ...], list[int]]:
    """Distinct channel paths → [conversions, non-converting journeys]."""
    return journey_path_set(store, profile).counts()


def journey_path_set(store: EventStore, profile: ProfileContext) -> PathSet:
    """Every journey the fits read: each eligible conversion's path and each non-converting
    person's, as flat arrays (no distinct-path grouping: the fits count steps)."""
    params = {"profile": profile.profile_id, "click_us": profile.attribution.click_window_us}
    for _ in range(READ_ATTEMPTS):
        names = sorted(str(row[0]) for row in store.query(q.bound(q.JOURNEY_CHANNELS, params)))
        code = np.arange(1, len(names) + 1, dtype=np.min_scalar_type(len(names)))
        numbered = pa.table({"channel": pa.array(names, pa.string()), "code": code})
        steps = store.query_arrow(
            q.bound(q.JOURNEY_STEPS, params), tables={q.CHANNEL_INPUT: numbered}
        )
        codes = numpy_column(steps, "code")
        if codes.all():  # else a channel appeared between the two reads: read both again
            channels, used = _used_channels(names, codes)
            return _path_set(steps, channels, used, profile.attribution.click_window_us)
    raise RuntimeError(f"new channels kept appearing while reading {profile.profile_id}'s journeys")


def _used_channels(names: list[str], codes: Codes) -> tuple[tuple[str, ...], Codes]:
    """The channels some step has, in order, and each step's index among them in the narrowest
    type (a smaller array gathers faster)."""
    used = np.bincount(codes, minlength=len(names) + 1)[1:] > 0
    count = int(used.sum())
    index = np.zeros(len(names) + 1, np.min_scalar_type(max(count - 1, 0)))
    index[1:][used] = np.arange(count)
    return tuple(n for n, u in zip(names, used, strict=True) if u), index[codes]


def _path_set(steps: pa.Table, channels: tuple[str, ...], codes: Codes, click_us: int) -> PathSet:
    """The journeys of JOURNEY_STEPS' rows: the converting ones, then the non-converting."""
    journey, gap = numpy_column(steps, "ordinal", np.int64), numpy_column(steps, "gap", np.int64)
    key = numpy_column(steps, "touch_key", np.uint64)
    quiet = journey == 0
    if not quiet.any():  # everyone converted: no copies
        ordered = codes_in_journey_order(journey, gap, key, codes)
        return _journeys(channels, ordered, journey, converted=True)
    person = numpy_column(steps, "person", np.uint64)[quiet]
    nulls = _quiet_paths(channels, person, -gap[quiet], key[quiet], codes[quiet], click_us)
    journey, gap, key, codes = (a[~quiet] for a in (journey, gap, key, codes))
    ordered = codes_in_journey_order(journey, gap, key, codes)
    paths = _journeys(channels, ordered, journey, converted=True)
    return PathSet.joined([paths, nulls])


def _quiet_paths(
    channels: tuple[str, ...], person: npt.NDArray[np.uint64], t_us: Ints,
    key: npt.NDArray[np.uint64], codes: Codes, click_us: int,
) -> PathSet:  # fmt: skip
    """Each non-converting person's visits within the click window before their last, oldest
    first."""
    _, journey = np.unique(person, return_inverse=True)
    order = journey_order(journey, t_us.max() - t_us, key)
    journey, t_us, codes = journey[order], t_us[order], codes[order]
    last = t_us[np.flatnonzero(np.append(journey[1:] != journey[:-1], True))]
    kept = last[journey] - t_us <= click_us
    return _journeys(channels, codes[kept], journey[kept], converted=False)


def _journeys(
    channels: tuple[str, ...],
    steps: npt.NDArray[np.integer[Any]],
    journey: Ints,
    *,
    converted: bool,
) -> PathSet:
    """Paths of `steps` (grouped by journey, oldest first), their lengths counted from each
    step's journey number (in any order); each journey converted, or not."""
    counts = np.bincount(journey)
    lengths = counts[counts > 0]
    ones, zeros = np.ones(len(lengths)), np.zeros(len(lengths))
    return PathSet(
        channels, steps.astype(np.int64, copy=False), lengths, ones if converted else zeros,
        zeros if converted else ones,
    )  # fmt: skip


def fitted_models(paths: PathSet) -> tuple[MarkovFit, dict[str, float]]:
    """Both data-driven models of `paths`, side by side: each is numpy passes that release the
    GIL, so on two cores they overlap."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        shapley = worker.submit(shapley_weights, paths)
        return markov_weights(paths), shapley.result()


def fit_channel_weights(
    *, store: EventStore, profile: ProfileContext, clock: Clock = wall_clock_us
) -> int:
    """Refit both models; returns the converting paths used."""
    paths = journey_path_set(store, profile)
    converting = int(paths.conversions.sum())
    markov, shapley = fitted_models(paths)
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
