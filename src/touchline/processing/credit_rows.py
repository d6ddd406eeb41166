"""Writing `credit_rows`: the conversions to credit and their candidate touches come out of the
event plane as Arrow, every model's shares are computed in vectorized passes
(domain/attribution/shares.py), and the narrow rows go back by appends. The shares of one slice
of conversions are computed on a worker thread while the previous slice is appended (numpy and
the engine both release the GIL), so the two overlap on a 2-core machine."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from touchline.domain.attribution.settings import AttributionSettings
from touchline.domain.attribution.shares import Candidates, journey_order, model_shares
from touchline.ingest.context import ProfileContext
from touchline.processing import credit_queries as q
from touchline.store.base import EventStore
from touchline.store.schema import CREDIT_ROWS, arrow_schema

SCHEMA = arrow_schema(CREDIT_ROWS.columns)
SLICE_ROWS: Final = 500_000  # candidate touches per slice (whole conversions)
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CreditRun:
    conversions: int  # conversions whose credits were (re)computed
    rows: int  # credit rows written


@dataclass(frozen=True, slots=True)
class _Batch:
    """What every slice shares: the profile, version, the conversions' keys (by ordinal) and
    the refunds of the credited conversions."""

    profile_id: str
    version: int
    settings: AttributionSettings
    keys: Ints
    refund_keys: Ints
    payers: Ints  # each refund's payment, as an ordinal


def write_credits(
    store: EventStore, profile: ProfileContext, params: Mapping[str, Any], *, scoped: bool
) -> CreditRun:
    """Credit the profile's conversions (all, or the ones `params["conversions"]` names) under
    every model at `params["version"]`, refunds with copies of their payments' rows."""
    read = read_candidates(store, params, scoped=scoped)
    if read is None:
        return CreditRun(0, 0)
    refunds = store.query_arrow(q.bound(q.REFUNDS_OF_CREDITED, params), tables=read.tables)
    fitted = store.query_arrow(q.bound(q.FITTED_WEIGHTS, params))
    batch = _Batch(
        profile.profile_id, int(params["version"]), profile.attribution,
        numpy_column(read.conversions, "conversion_key", np.int64),
        numpy_column(refunds, "conversion_key", np.int64),
        numpy_column(refunds, "payer", np.int64),
    )  # fmt: skip
    return _written(store, batch, _slices(read.touches, _weights(fitted)))


@dataclass(frozen=True, slots=True)
class CandidateRead:
    """The conversions to credit, numbered, and their candidate touches, as the engine gave
    them."""

    conversions: pa.Table
    touches: pa.Table

    @property
    def tables(self) -> dict[str, pa.Table]:
        """The numbered conversions as the input table the credits statements join."""
        return {q.CONVERSION_INPUT: self.conversions}


def read_candidates(
    store: EventStore, params: Mapping[str, Any], *, scoped: bool
) -> CandidateRead | None:
    """The two statements every recompute starts with (bench/t9_attribution.py times them
    alone); None when there is no conversion to credit."""
    found = store.query_arrow(q.bound(q.credited_conversions(scoped=scoped), params))
    if found.num_rows == 0:
        return None
    conversions = _numbered(found)
    touches = store.query_arrow(
        q.bound(q.candidate_touches(scoped=scoped), params),
        tables={q.CONVERSION_INPUT: conversions},
    )
    return CandidateRead(conversions, touches)


def _written(store: EventStore, batch: _Batch, slices: Iterator[_Slice]) -> CreditRun:
    """Gather and compute each slice's rows on a worker thread and append them here (the thread
    that owns the store's transaction), one slice behind."""
    conversions = rows = 0
    with ThreadPoolExecutor(max_workers=1) as worker:
        pending: Future[tuple[pa.Table, int]] | None = None
        for part in slices:
            ahead = worker.submit(_rows, batch, part)
            if pending is not None:
                table, credited = pending.result()
                store.append(CREDIT_ROWS.name, table, sort=False)
                conversions, rows = conversions + credited, rows + table.num_rows
            pending = ahead
        if pending is not None:
            table, credited = pending.result()
            store.append(CREDIT_ROWS.name, table, sort=False)
            conversions, rows = conversions + credited, rows + table.num_rows
    return CreditRun(conversions, rows)


def numpy_column(
    table: pa.Table, name: str, dtype: type[np.generic] | None = None
) -> npt.NDArray[Any]:
    """A column as numpy, cast when `dtype` differs (ClickHouse returns UInt8 booleans and
    narrower integers than DuckDB)."""
    values: npt.NDArray[Any] = table[name].combine_chunks().to_numpy(zero_copy_only=False)
    return values if dtype is None else values.astype(dtype, copy=False)


def _numbered(found: pa.Table) -> pa.Table:
    """The conversions with an ordinal each (their order in `found`)."""
    ordinal = pa.array(np.arange(found.num_rows, dtype=np.int64))
    return found.append_column("ordinal", ordinal)


def _weights(fitted: pa.Table) -> tuple[Floats, Floats]:
    """Markov and Shapley weights by fitted-channel code (code 0, no fit, weighs 0)."""
    codes = numpy_column(fitted, "code", np.int64)
    markov, shapley = np.zeros(len(codes) + 1), np.zeros(len(codes) + 1)
    markov[codes] = numpy_column(fitted, "markov", np.float64)
    shapley[codes] = numpy_column(fitted, "shapley", np.float64)
    return markov, shapley


@dataclass(frozen=True, slots=True)
class _Touches:
    """The candidate touches in the engine's order, and the fitted weights by channel code."""

    gap: Ints
    key: npt.NDArray[np.uint64]
    traits: Ints
    weights: tuple[Floats, Floats]


@dataclass(frozen=True, slots=True)
class _Slice:
    """Whole conversions of about SLICE_ROWS rows: `at` picks their rows from `touches`, oldest
    first. Gathering them (random reads over every row) is left to the worker: on the
    appending thread it cost as much as a third of the appends."""

    conversion: Ints  # each row's conversion ordinal, ascending
    at: Ints
    touches: _Touches

    def candidates(self) -> Candidates:
        """The rows, their traits unpacked (credit_queries.TRAITS_SQL)."""
        at, touches = self.at, self.touches
        traits = touches.traits[at]
        code = traits >> q.TRAIT_CODE_SHIFT
        return Candidates(
            conversion=self.conversion, gap=touches.gap[at],
            kind=(traits >> q.TRAIT_KIND_SHIFT) & 3,
            direct=((traits >> q.TRAIT_DIRECT_SHIFT) & 1).astype(np.bool_),
            engagement=traits & 0xFFFFFFFF, markov=touches.weights[0][code],
            shapley=touches.weights[1][code], touch_key=touches.key[at],
        )  # fmt: skip


def _slices(touches: pa.Table, weights: tuple[Floats, Floats]) -> Iterator[_Slice]:
    """The candidate touches grouped by conversion, oldest first, in slices of whole
    conversions."""
    if touches.num_rows == 0:
        return
    ordinal = numpy_column(touches, "ordinal", np.int64)
    gap, key = numpy_column(touches, "gap", np.int64), numpy_column(touches, "touch_key", np.uint64)
    order = journey_order(ordinal, gap, key)
    ordered = ordinal[order]
    rows = _Touches(gap, key, numpy_column(touches, "traits", np.int64), weights)
    start = 0
    while start < len(order):
        end = min(start + SLICE_ROWS, len(order))
        if end < len(order):  # end on a conversion boundary
            end = int(np.searchsorted(ordered, ordered[end - 1], side="right"))
        yield _Slice(ordered[start:end], order[start:end], rows)
        start = end


def _rows(batch: _Batch, piece: _Slice) -> tuple[pa.Table, int]:
    """One slice's credit rows (refunds' copies of their payments' rows after them) and the
    conversions credited."""
    part = piece.candidates()
    shares = model_shares(part, batch.settings)
    kept = shares.kept
    if kept is not None and len(kept) == 0:
        return pa.table({}, schema=SCHEMA), 0
    ordinal = part.conversion if kept is None else part.conversion[kept]
    columns: dict[str, npt.NDArray[Any]] = {
        "touch_key": part.touch_key if kept is None else part.touch_key[kept],
        "position": shares.position.astype(np.int32),
        **shares.by_model,
    }
    columns["conversion_key"] = batch.keys[ordinal]
    copies, owners = _refund_copies(ordinal, batch.payers)
    if len(copies):
        refund_keys = batch.refund_keys[owners]
        columns = {name: np.concatenate((v, v[copies])) for name, v in columns.items()}
        columns["conversion_key"][-len(copies) :] = refund_keys
    n = len(columns["touch_key"])
    table = pa.table(
        {
            "profile_id": pa.repeat(batch.profile_id, n),
            **{name: pa.array(columns[name]) for name in SCHEMA.names[1:-1]},
            "version": pa.repeat(batch.version, n).cast(pa.int64()),
        },
        schema=SCHEMA,
    )
    credited = int(np.count_nonzero(ordinal[1:] != ordinal[:-1])) + 1
    return table, credited + len(np.unique(owners))


def _refund_copies(ordinal: Ints, payers: Ints) -> tuple[Ints, Ints]:
    """For each refund whose payment has rows here, the indexes of those rows (same touches,
    same shares), and the refund (its index) of each copied row."""
    if len(payers) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.searchsorted(ordinal, payers, side="left")
    counts = np.searchsorted(ordinal, payers, side="right") - starts
    copies = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    return copies, np.repeat(np.arange(len(payers)), counts)
