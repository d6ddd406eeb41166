"""The answer cache: reuse while fresh, recompute after any write, one computation for many
concurrent askers, errors never cached; and the planes' write counters it keys on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import text

from touchline.analytics.cache import AnswerCache, Freshness
from touchline.changes import ChangeCounter
from touchline.control.db import Database
from touchline.control.repos import api_keys, profiles, workspaces
from touchline.settings import Settings
from touchline.store.base import EventStore, Sql

AT_START = Freshness(events=0, control=0)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting(value: object) -> tuple[list[int], Callable[[], object]]:
    calls: list[int] = []

    def compute() -> object:
        calls.append(1)
        return value

    return calls, compute


def test_an_answer_is_reused_until_either_plane_is_written() -> None:
    cache, (calls, compute) = AnswerCache(), counting("rows")
    assert cache.get("q", AT_START, compute) == cache.get("q", AT_START, compute) == "rows"
    assert len(calls) == 1
    assert cache.peek("q", AT_START) == (True, "rows")
    cache.get("q", Freshness(events=1, control=0), compute)
    cache.get("q", Freshness(events=1, control=1), compute)
    assert len(calls) == 3
    assert cache.peek("other question", AT_START) == (False, None)


def test_an_answer_expires_after_its_ttl() -> None:
    clock = Clock()
    cache, (calls, compute) = AnswerCache(ttl_seconds=30, clock=clock), counting(1)
    cache.get("q", AT_START, compute)
    clock.now += 29.9
    cache.get("q", AT_START, compute)
    clock.now += 0.2
    assert cache.peek("q", AT_START) == (False, None)
    cache.get("q", AT_START, compute)
    assert len(calls) == 2


def test_the_cache_keeps_only_the_most_recently_used_answers() -> None:
    cache = AnswerCache(max_entries=2)
    for question in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" arrives
        cache.get(question, AT_START, question.upper)
    assert len(cache) == 2
    assert cache.peek("a", AT_START) == (True, "A")
    assert cache.peek("b", AT_START) == (False, None)


def test_a_failed_computation_is_raised_and_not_cached() -> None:
    cache = AnswerCache()

    def broken() -> object:
        raise ValueError("engine gone")

    with pytest.raises(ValueError, match="engine gone"):
        cache.get("q", AT_START, broken)
    assert cache.get("q", AT_START, lambda: "ok") == "ok"


def test_concurrent_askers_of_a_missing_answer_share_one_computation() -> None:
    cache, started, release = AnswerCache(), threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        started.set()
        assert release.wait(5)
        return "answer"

    with ThreadPoolExecutor(max_workers=8) as pool:
        leader = pool.submit(cache.get, "q", AT_START, slow)
        assert started.wait(5)
        followers = [pool.submit(cache.get, "q", AT_START, slow) for _ in range(7)]
        release.set()
        answers = [leader.result(5), *(f.result(5) for f in followers)]
    assert answers == ["answer"] * 8
    assert len(calls) == 1


def test_waiters_get_the_leaders_error() -> None:
    cache, started, release = AnswerCache(), threading.Event(), threading.Event()

    def failing() -> str:
        started.set()
        assert release.wait(5)
        raise LookupError("no such profile")

    with ThreadPoolExecutor(max_workers=2) as pool:
        leader = pool.submit(cache.get, "q", AT_START, failing)
        assert started.wait(5)
        follower = pool.submit(cache.get, "q", AT_START, lambda: "never")
        release.set()
        for future in (leader, follower):
            with pytest.raises(LookupError):
                future.result(5)


def test_the_event_store_counts_writes_not_reads(event_store: EventStore) -> None:
    before = event_store.changes.value
    event_store.query(Sql("SELECT count(*) FROM events"))
    assert event_store.changes.value == before
    event_store.execute(Sql("CREATE TABLE IF NOT EXISTS cache_probe (n BIGINT)"))
    event_store.append("cache_probe", pa.table({"n": pa.array([1], pa.int64())}))
    assert event_store.changes.value >= before + 2
    with event_store.transaction():
        event_store.append("cache_probe", pa.table({"n": pa.array([2], pa.int64())}))
        inside = event_store.changes.value
    assert event_store.changes.value >= inside  # the commit (DuckDB) counts again


def test_the_control_plane_counts_transactions_that_wrote(tmp_path: Path) -> None:
    database = Database.open(Settings(data_dir=tmp_path))
    try:
        database.migrate()
        start = database.changes.value
        with database.read() as session:
            session.execute(text("SELECT 1"))
        with database.transaction() as session:
            session.execute(text("SELECT count(*) FROM workspaces"))
        assert database.changes.value == start
        with database.transaction() as session:
            workspace = workspaces.create(session, name="Acme", actor="test")
            profile = profiles.create(session, workspace_id=workspace.id, name="Shop", actor="t")
        assert database.changes.value == start + 1
        with database.transaction() as session:
            session.execute(text("UPDATE workspaces SET name = 'Acme Ltd'"))
        assert database.changes.value == start + 2
        with database.transaction() as session:
            issued = api_keys.create(session, profile_id=profile.id, name="k", actor="test")
        counted = database.changes.value
        with database.transaction() as session:  # a key's use is recorded, nothing reads it
            assert api_keys.authenticate(session, issued.plaintext) is not None
        assert database.changes.value == counted
    finally:
        database.close()


def test_writes_inside_a_hold_count_once_when_it_ends() -> None:
    counter = ChangeCounter()
    with counter.hold():
        counter.bump()
        with counter.hold():
            counter.bump()
        assert counter.value == 0  # readers still see the state before the unit
    assert counter.value == 1
    with counter.hold():
        pass
    assert counter.value == 1  # a unit without writes changes nothing
    with pytest.raises(RuntimeError), counter.hold():
        counter.bump()
        raise RuntimeError("a failed unit may have written")
    assert counter.value == 2
