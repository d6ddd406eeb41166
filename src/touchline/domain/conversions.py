"""Stable 63-bit conversion keys: the integer the credits join on instead of `conversion_id`.

Computed once in Python when a conversion row is written, so DuckDB and ClickHouse hold the
same value (their own hash functions differ)."""

from __future__ import annotations

from hashlib import blake2b


def conversion_key(profile_id: str, conversion_id: str) -> int:
    """A non-negative signed 64-bit key of a conversion within a profile; the same in every
    process. 63 bits of blake2b: a collision inside one profile is negligible (≈ n²/2⁶⁴)."""
    digest = blake2b(f"{profile_id}\x00{conversion_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1
