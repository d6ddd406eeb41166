"""Routes compute their answers through here: in a worker thread, and reused while neither
storage plane has been written (analytics/cache.py)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar, cast

import anyio

from touchline.analytics.cache import Freshness
from touchline.api.auth import Caller

T = TypeVar("T")


async def cached(caller: Caller, question: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`'s answer, or the one cached for the same question of the same profile.
    `question` names the report and every parsed parameter that shapes the answer."""
    runtime = caller.runtime
    freshness = Freshness.of(runtime.store, runtime.database)
    key = (caller.profile, question)
    found, answer = runtime.answers.peek(key, freshness)
    if found:
        return cast(T, answer)
    return await anyio.to_thread.run_sync(runtime.answers.get, key, freshness, compute)


async def fresh(compute: Callable[[], T]) -> T:
    """`compute()` in a worker thread, never cached (answers that move with the clock)."""
    return await anyio.to_thread.run_sync(compute)
