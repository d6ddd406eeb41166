"""A small TTL cache in front of `resolve_tracking_key`, so a collect request rarely touches
the control plane. A revoked key stops resolving within `ttl_seconds`."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from touchline.control.db import Database
from touchline.control.repos.tracking_keys import resolve_tracking_key
from touchline.domain.keys import is_tracking_key
from touchline.ingest.context import ProfileContext

DEFAULT_TTL_SECONDS = 5.0
DEFAULT_MAX_ENTRIES = 10_000

Loader = Callable[[str], ProfileContext | None]


class TrackingKeyCache:
    """Thread-safe. Unknown keys are cached too (a flood of bad keys costs one lookup per key
    per TTL), and the entry count is bounded so random keys cannot grow memory."""

    def __init__(
        self,
        *,
        load: Loader,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, ProfileContext | None]] = OrderedDict()
        self._lock = threading.Lock()

    def resolve(self, key: str) -> ProfileContext | None:
        if not is_tracking_key(key):
            return None
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                return entry[1]
        profile = self._load(key)
        self._store(key, profile, now + self._ttl)
        return profile

    def invalidate(self, key: str | None = None) -> None:
        """Forget one key (e.g. right after revoking it in this process) or everything."""
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)

    def _store(self, key: str, profile: ProfileContext | None, expires: float) -> None:
        with self._lock:
            self._entries[key] = (expires, profile)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


def tracking_key_cache(
    database: Database, *, ttl_seconds: float = DEFAULT_TTL_SECONDS
) -> TrackingKeyCache:
    """The cache the server uses: misses read the control plane in a read-only transaction."""

    def load(key: str) -> ProfileContext | None:
        with database.read() as session:
            return resolve_tracking_key(session, key)

    return TrackingKeyCache(load=load, ttl_seconds=ttl_seconds)
