"""Recent answers of the query layer, kept until either storage plane is written.

A report at 10M events costs tens of milliseconds of CPU; a dashboard (or a client polling
the API) asks the same question over and over. An answer is cached under the question (its
key: profile, report, parsed parameters) and the planes' write counts at the moment it was
computed (`Freshness`), so any committed write in this process — a loaded batch, a recompute,
a customer edit — makes every older answer unreachable. The TTL bounds what this process
cannot see: writes by another process (a CLI against PostgreSQL, a second server on
ClickHouse) and answers that move with the clock. Concurrent askers of the same missing
answer wait for one computation instead of each running the query ("single flight").
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar, cast

from touchline.changes import ChangeCounter

T = TypeVar("T")
DEFAULT_TTL_SECONDS: Final = 30.0
DEFAULT_MAX_ENTRIES: Final = 512


class Counted(Protocol):
    @property
    def changes(self) -> ChangeCounter: ...


@dataclass(frozen=True, slots=True)
class Freshness:
    """The write counts of both planes when an answer was computed."""

    events: int
    control: int

    @classmethod
    def of(cls, store: Counted, database: Counted) -> Freshness:
        return cls(events=store.changes.value, control=database.changes.value)


@dataclass(frozen=True, slots=True)
class _Entry:
    value: Any
    expires: float


class _Flight:
    """One computation others are waiting for."""

    __slots__ = ("done", "error", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None

    def result(self) -> Any:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.value


class AnswerCache:
    """A bounded LRU of answers keyed by (question, freshness), with single flight."""

    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl, self._max, self._clock = ttl_seconds, max_entries, clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}

    def peek(self, key: Hashable, freshness: Freshness) -> tuple[bool, Any]:
        """(True, answer) when a fresh answer is cached, else (False, None); never waits."""
        with self._lock:
            entry = self._entries.get((key, freshness))
            if entry is None or entry.expires <= self._clock():
                return False, None
            self._entries.move_to_end((key, freshness))
            return True, entry.value

    def get(self, key: Hashable, freshness: Freshness, compute: Callable[[], T]) -> T:
        """The cached answer to `key` at `freshness`, or `compute()`'s (an error is raised to
        every waiter and never cached)."""
        full = (key, freshness)
        with self._lock:
            entry = self._entries.get(full)
            if entry is not None and entry.expires > self._clock():
                self._entries.move_to_end(full)
                return cast(T, entry.value)
            flight = self._flights.get(full)
            leading = flight is None
            if flight is None:
                flight = self._flights[full] = _Flight()
        if not leading:
            return cast(T, flight.result())
        return self._lead(full, flight, compute)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _lead(self, full: Hashable, flight: _Flight, compute: Callable[[], T]) -> T:
        try:
            value = compute()
        except BaseException as error:
            flight.error = error
            raise
        else:
            flight.value = value
            with self._lock:
                self._entries[full] = _Entry(value, self._clock() + self._ttl)
                self._entries.move_to_end(full)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._flights.pop(full, None)
            flight.done.set()
