"""A count of committed writes, kept by each storage plane so cached answers know when they
went stale (analytics/cache.py). It only grows; any write, however small, bumps it."""

from __future__ import annotations

import threading


class ChangeCounter:
    """How many writes a plane has committed since this process opened it."""

    __slots__ = ("_lock", "_value")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    @property
    def value(self) -> int:
        return self._value

    def bump(self) -> None:
        with self._lock:
            self._value += 1
