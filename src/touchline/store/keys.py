"""Integer keys the store computes on every append, so no writer can leave one out or get one
wrong: a conversion's `conversion_key` from its profile and id (domain/conversions.py)."""

from __future__ import annotations

import pyarrow as pa

from touchline.domain.conversions import conversion_key
from touchline.store.schema import CONVERSIONS

KEY = "conversion_key"


def with_keys(table: str, rows: pa.Table) -> pa.Table:
    """`rows` for `table` with their computed key columns set (replacing any given)."""
    if table != CONVERSIONS.name:
        return rows
    keys = pa.array(
        map(conversion_key, rows["profile_id"].to_pylist(), rows["conversion_id"].to_pylist()),
        pa.int64(),
        size=rows.num_rows,
    )
    if KEY in rows.column_names:
        at = rows.column_names.index(KEY)
        return rows.set_column(at, KEY, keys)
    return rows.append_column(KEY, keys)
