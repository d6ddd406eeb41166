"""Flood control for the collect endpoint: a token bucket per client IP.

In memory, per process (ARCHITECTURE §6 moves it to shared state when scaled out).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, updated: float) -> None:
        self.tokens = tokens
        self.updated = updated


class FloodControl:
    """Admits `rate_per_second` requests per client, with bursts of `burst` (default: 2 s worth).

    A rate of 0 or less turns flood control off. The table of clients is bounded: when it
    grows past `max_clients`, buckets that have refilled completely are forgotten (they
    hold no information), and if that is not enough the table starts afresh, which
    fails open for a moment rather than growing without bound.
    """

    def __init__(
        self,
        *,
        rate_per_second: float,
        burst: float | None = None,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = float(rate_per_second)
        self.burst = float(burst) if burst is not None else 2.0 * self.rate
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def admit(self, client: str) -> float:
        """Take one token for `client`: 0.0 when admitted, else the seconds until one frees."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._new_bucket(client, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def retry_after_seconds(self, wait: float) -> int:
        """The `Retry-After` header value for a wait: whole seconds, at least one."""
        return max(1, math.ceil(wait))

    def __len__(self) -> int:
        return len(self._buckets)

    def _new_bucket(self, client: str, now: float) -> _Bucket:
        if len(self._buckets) >= self.max_clients:
            self._forget_idle(now)
        bucket = _Bucket(self.burst, now)
        self._buckets[client] = bucket
        return bucket

    def _forget_idle(self, now: float) -> None:
        refill_seconds = self.burst / self.rate
        idle = [key for key, b in self._buckets.items() if now - b.updated >= refill_seconds]
        for key in idle:
            del self._buckets[key]
        if len(self._buckets) >= self.max_clients:
            self._buckets.clear()
