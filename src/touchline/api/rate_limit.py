"""Per-key rate limits: a moving one-minute window of units (heavy endpoints cost 3), the
spec's headers, and 429 with Retry-After once a key's units are spent."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Final

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from touchline.errors import RateLimitExceeded

WINDOW_SECONDS: Final = 60


@dataclass(frozen=True, slots=True)
class Allowance:
    """What the headers say after a request: the limit and the units left in the window."""

    limit: int
    remaining: int
    reset_at: float  # epoch seconds when the oldest counted unit leaves the window

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}


class RateLimiter:
    """One process's limiter (memory storage; a shared storage when scaled out). A check and
    its hit are one atomic step, so concurrent requests never let more than the limit through."""

    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._lock = threading.Lock()

    def spend(self, key_id: str, *, limit: int, cost: int) -> Allowance:
        """Take `cost` units from the key's window, or raise RateLimitExceeded (the units are
        then not taken)."""
        item = RateLimitItemPerMinute(limit)
        with self._lock:
            allowed = self._limiter.hit(item, key_id, cost=cost)
            stats = self._limiter.get_window_stats(item, key_id)
        allowance = Allowance(limit, max(stats.remaining, 0), stats.reset_time)
        if not allowed:
            wait = max(1, math.ceil(stats.reset_time - time.time()))
            raise RateLimitExceeded(
                f"Rate limit of {limit} units per minute exceeded; retry in {wait} s",
                retry_after=wait,
                headers=allowance.headers(),
            )
        return allowance
