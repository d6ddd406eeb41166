"""The conversions step's SQL, written once in DuckDB's dialect (store/dialect.py renders it for
ClickHouse). Each query reads what a whole batch needs in one round trip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from touchline.store.base import Sql
from touchline.store.schema import CONVERSIONS

COLUMNS: Final = ", ".join(CONVERSIONS.column_names)
UNMATCHED: Final = "unmatched:"
"""`refund_of` of a refund whose payment is not recorded (yet): the prefix, then its ref."""
KEY: Final = "profile_id || ':' || conversion_id"
"""A conversion's identity across versions (processing/versions.drop_superseded)."""


def _texts(values: Sequence[str]) -> list[str]:
    # Never empty: engines cannot type an empty list ('' matches no id or ref).
    return sorted(set(values)) or [""]


def _keys(values: Sequence[int]) -> list[int]:
    # Largest first: ClickHouse types the array by its first element (UInt64 keys).
    return sorted(set(values), reverse=True) or [0]


def stored_ids(profiles: Sequence[str], ids: Sequence[str]) -> Sql:
    return Sql(
        "SELECT profile_id, conversion_id FROM conversions"
        " WHERE profile_id IN (SELECT unnest($profiles))"
        " AND conversion_id IN (SELECT unnest($ids))",
        {"profiles": _texts(profiles), "ids": _texts(ids)},
    )


REFS: Final = "(provider_ref IN (SELECT unnest($refs)) OR checkout_ref IN (SELECT unnest($refs)))"
"""A recorded conversion names one of `$refs` as its provider ref or as its checkout."""


def stored_refs(profiles: Sequence[str], refs: Sequence[str]) -> Sql:
    """Refs already counted, by either column: (profile, goal, provider ref, checkout ref (''
    for rows recorded before migration 9), is a refund)."""
    return Sql(
        "SELECT DISTINCT profile_id, goal_key, provider_ref, COALESCE(checkout_ref, ''),"
        " refund_of <> '' FROM conversions WHERE profile_id IN (SELECT unnest($profiles))"
        f" AND {REFS}",
        {"profiles": _texts(profiles), "refs": _texts(refs)},
    )


def payments_of(profiles: Sequence[str], refs: Sequence[str]) -> Sql:
    """Recorded conversions a refund may reduce, cash first, oldest first."""
    return Sql(
        "SELECT profile_id, provider_ref, conversion_id FROM conversions"
        " WHERE profile_id IN (SELECT unnest($profiles)) AND refund_of = ''"
        " AND provider_ref IN (SELECT unnest($refs))"
        " ORDER BY CASE WHEN revenue_type = 'cash' THEN 0 ELSE 1 END, ts, conversion_id",
        {"profiles": _texts(profiles), "refs": _texts(refs)},
    )


def counted_payments(profiles: Sequence[str], refs: Sequence[str]) -> Sql:
    """Whole rows of recorded conversions (not refunds) counted for these provider or checkout
    refs."""
    return Sql(
        f"SELECT {COLUMNS} FROM conversions WHERE profile_id IN (SELECT unnest($profiles))"
        f" AND refund_of = '' AND {REFS}"
        " ORDER BY profile_id, conversion_id",
        {"profiles": _texts(profiles), "refs": _texts(refs)},
    )


def waiting_refunds(profiles: Sequence[str], refs: Sequence[str]) -> Sql:
    """Whole rows of recorded refunds still waiting for one of these payments."""
    return Sql(
        f"SELECT {COLUMNS} FROM conversions WHERE profile_id IN (SELECT unnest($profiles))"
        " AND refund_of IN (SELECT unnest($waiting)) ORDER BY profile_id, conversion_id",
        {"profiles": _texts(profiles), "waiting": _texts([UNMATCHED + r for r in refs])},
    )


def visitor_sessions(visitors: Sequence[int], start_us: int, end_us: int) -> Sql:
    """Sessions of these visitors overlapping [start, end]: (visitor, session, start, end)."""
    return Sql(
        "SELECT visitor_key, session_key, epoch_us(started_at), epoch_us(ended_at) FROM sessions"
        " WHERE visitor_key IN (SELECT unnest($visitors))"
        " AND epoch_us(started_at) <= $end AND epoch_us(ended_at) >= $start",
        {"visitors": _keys(visitors), "start": start_us, "end": end_us},
    )


def stored_bookings(goal_key: str, visitors: Sequence[int], start_us: int, end_us: int) -> Sql:
    """Recorded conversions of `goal_key` by these visitors in [start, end]: (visitor, µs)."""
    return Sql(
        "SELECT visitor_key, epoch_us(ts) FROM conversions WHERE goal_key = $goal"
        " AND visitor_key IN (SELECT unnest($visitors))"
        " AND epoch_us(ts) >= $start AND epoch_us(ts) <= $end",
        {"goal": goal_key, "visitors": _keys(visitors), "start": start_us, "end": end_us},
    )


def valued(profile_id: str) -> Sql:
    """Whole rows of a profile's conversions that carry a value (for `reconvert`)."""
    return Sql(
        f"SELECT {COLUMNS} FROM conversions WHERE profile_id = $profile AND value IS NOT NULL"
        " ORDER BY conversion_id",
        {"profile": profile_id},
    )
