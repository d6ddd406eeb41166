"""Fit the data-driven models (markov, shapley) of a profile from its journeys and store one
weight per channel in `channel_weights`; credits then split each path by these weights."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

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
    if rows.num_rows == 0:
        return {}
    rows = rows.sort_by([("path_id", "ascending"), ("touch_ts", "ascending"),
                         ("touch_key", "ascending")])  # fmt: skip
    lists = rows.group_by("path_id", use_threads=False).aggregate([("channel", "list")])
    joined = pc.binary_join(lists["channel_list"], "\x1f")
    per_path = pa.table({"path": joined}).group_by("path").aggregate([("path", "count")])
    return {
        tuple(path.split("\x1f")): int(n)
        for path, n in zip(
            per_path["path"].to_pylist(), per_path["path_count"].to_pylist(), strict=True
        )
    }


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
