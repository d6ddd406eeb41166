"""Stable 64-bit visitor keys (the event plane joins and groups on them).

Session keys are plain arithmetic both engines can compute: see `domain.sessions.session_key`.
"""

from __future__ import annotations

from hashlib import blake2b


def visitor_key(profile_id: str, anonymous_id: str) -> int:
    """Unsigned 64-bit key of a visitor within a profile; the same in every process."""
    digest = blake2b(f"{profile_id}\x00{anonymous_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")
