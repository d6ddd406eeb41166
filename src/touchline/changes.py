"""A count of committed writes, kept by each storage plane so cached answers know when they
went stale (analytics/cache.py). It only grows; any write, however small, bumps it.

A writer doing one logical unit of many statements (the loader: a batch and its after-load
steps) can `hold()` the count: the unit's writes show as one bump when it ends, so readers
see the state before the unit or after it, not a new count per statement (decision 0997).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ChangeCounter:
    """How many writes a plane has committed since this process opened it."""

    __slots__ = ("_held", "_lock", "_pending", "_value")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0
        self._held = 0
        self._pending = False

    @property
    def value(self) -> int:
        return self._value

    def bump(self) -> None:
        with self._lock:
            if self._held:
                self._pending = True
            else:
                self._value += 1

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Writes inside count as one, when the outermost hold ends (even by an error)."""
        with self._lock:
            self._held += 1
        try:
            yield
        finally:
            with self._lock:
                self._held -= 1
                if not self._held and self._pending:
                    self._value += 1
                    self._pending = False
