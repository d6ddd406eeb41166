"""Stable 64-bit keys for visitors and sessions (the event plane joins and groups on them)."""

from __future__ import annotations

from hashlib import blake2b


def visitor_key(profile_id: str, anonymous_id: str) -> int:
    """Unsigned 64-bit key of a visitor within a profile; the same in every process."""
    digest = blake2b(f"{profile_id}\x00{anonymous_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def session_key(visitor: int, started_at_us: int) -> int:
    """Unsigned 64-bit key of a server-side session: its visitor and its first event time."""
    data = visitor.to_bytes(8, "big") + started_at_us.to_bytes(8, "big", signed=True)
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "big")
