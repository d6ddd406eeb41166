"""Writing `credit_rows`: the conversions to credit and their candidate touches come out of the
event plane as Arrow, every model's shares are computed in one vectorized pass
(domain/attribution/shares.py), and the narrow rows go back in one append."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from touchline.domain.attribution.shares import (
    Candidates,
    Shares,
    journey_order,
    model_shares,
)
from touchline.ingest.context import ProfileContext
from touchline.processing import credit_queries as q
from touchline.store.base import EventStore
from touchline.store.schema import CREDIT_MODELS, CREDIT_ROWS, arrow_schema

SCHEMA = arrow_schema(CREDIT_ROWS.columns)
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class CreditRun:
    conversions: int  # conversions whose credits were (re)computed
    rows: int  # credit rows written


@dataclass(frozen=True, slots=True)
class _Credited:
    """The credited rows: each one's conversion (ordinal), touch key and shares."""

    ordinal: Ints
    touch_key: npt.NDArray[np.uint64]
    shares: Shares


def write_credits(
    store: EventStore, profile: ProfileContext, params: Mapping[str, Any], *, scoped: bool
) -> CreditRun:
    """Credit the profile's conversions (all, or the ones `params["conversions"]` names) under
    every model at `params["version"]`, refunds with copies of their payments' rows."""
    found = store.query_arrow(q.bound(q.credited_conversions(scoped=scoped), params))
    if found.num_rows == 0:
        return CreditRun(0, 0)
    inputs = {q.CONVERSION_INPUT: _numbered(found)}
    touches = store.query_arrow(q.bound(q.candidate_touches(scoped=scoped), params), tables=inputs)
    credited = _credited(touches, profile) if touches.num_rows else None
    if credited is None:
        return CreditRun(0, 0)  # every conversion unattributed (so no refund has rows either)
    refunds = store.query_arrow(q.bound(q.REFUNDS_OF_CREDITED, params), tables=inputs)
    ids = found["conversion_id"].combine_chunks()
    table, refunded = _table(profile.profile_id, int(params["version"]), credited, ids, refunds)
    store.append(CREDIT_ROWS.name, table, sort=False)
    return CreditRun(len(np.unique(credited.ordinal)) + refunded, table.num_rows)


def _numbered(found: pa.Table) -> pa.Table:
    """The conversions with an ordinal each (their order in `found`)."""
    ordinal = pa.array(np.arange(found.num_rows, dtype=np.int64))
    return found.append_column("ordinal", ordinal)


def _credited(touches: pa.Table, profile: ProfileContext) -> _Credited | None:
    """Every model's shares of the candidate touches; None when no touch is in any window."""

    def column(name: str, dtype: type[np.generic] = np.int64) -> npt.NDArray[Any]:
        values = touches[name].combine_chunks().to_numpy(zero_copy_only=False)
        return values.astype(dtype, copy=False)  # ClickHouse: UInt8 booleans, narrower ints

    ordinal, gap, key = column("ordinal"), column("gap"), column("touch_key", np.uint64)
    order = journey_order(ordinal, gap, key)
    rows = Candidates(
        conversion=ordinal[order], gap=gap[order], kind=column("kind")[order],
        direct=column("direct", np.bool_)[order], engagement=column("engagement_score")[order],
        markov=column("markov", np.float64)[order], shapley=column("shapley", np.float64)[order],
    )  # fmt: skip
    shares = model_shares(rows, profile.attribution)
    if shares.kept is not None:
        if len(shares.kept) == 0:
            return None
        order = order[shares.kept]
    return _Credited(ordinal[order], key[order], shares)


def _table(
    profile_id: str, version: int, credited: _Credited, ids: pa.Array, refunds: pa.Table
) -> tuple[pa.Table, int]:
    """The rows to append (the credited ones, then each refund's copy of its payment's rows)
    and how many refunds got any."""
    conversion = ids.take(pa.array(credited.ordinal))
    columns: dict[str, Any] = {
        "touch_key": credited.touch_key,
        "position": credited.shares.position.astype(np.int32),
        **credited.shares.by_model,
    }
    copies, refund_ids = _refund_copies(credited.ordinal, refunds, ids)
    if len(copies):
        columns = {name: np.concatenate((v, v[copies])) for name, v in columns.items()}
        conversion = pa.concat_arrays([conversion, refund_ids])
    n = len(columns["touch_key"])
    table = pa.table(
        {
            "profile_id": pa.repeat(profile_id, n),
            "conversion_id": conversion,
            **{name: pa.array(columns[name]) for name in ("touch_key", "position", *CREDIT_MODELS)},
            "version": pa.repeat(version, n).cast(pa.int64()),
        },
        schema=SCHEMA,
    )
    return table, len(np.unique(refund_ids.to_numpy(zero_copy_only=False))) if len(copies) else 0


def _refund_copies(ordinal: Ints, refunds: pa.Table, ids: pa.Array) -> tuple[Ints, pa.Array]:
    """For each refund, the indexes of its payment's rows (same touches, same shares), and the
    refund's id for each copied row."""
    if refunds.num_rows == 0:
        return np.zeros(0, np.int64), pa.array([], pa.string())
    payer = pc.index_in(refunds["refund_of"], value_set=ids).to_numpy(zero_copy_only=False)
    starts = np.searchsorted(ordinal, payer, side="left")
    counts = np.searchsorted(ordinal, payer, side="right") - starts
    copies = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    owner = pa.array(np.repeat(np.arange(refunds.num_rows), counts))
    refund_ids = refunds["conversion_id"].combine_chunks().take(owner).cast(pa.string())
    return copies, refund_ids
