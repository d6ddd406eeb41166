"""The DuckDB engine: a cursor per reader thread, one guarded writer, sorted appends."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.store.engines import T0, event_row, event_table

from touchline.domain.visitors import visitor_key
from touchline.store.base import Sql
from touchline.store.duckdb import DuckDBStore


@pytest.fixture
def store(tmp_path: Path) -> DuckDBStore:
    duck = DuckDBStore(tmp_path / "events.duckdb")
    duck.migrate()
    return duck


def _count(store: DuckDBStore) -> int:
    ((count,),) = store.query(Sql("SELECT count(*) FROM events"))
    return int(count)


def test_readers_in_many_threads_while_the_writer_appends(store: DuckDBStore) -> None:
    stop = threading.Event()

    def write() -> None:
        for i in range(30):
            store.append("events", event_table([event_row(event_id=f"w{i}")]))
        stop.set()

    def read(_: int) -> int:
        seen = 0
        while not stop.is_set():
            seen = _count(store)
        return seen

    writer = threading.Thread(target=write)
    with ThreadPoolExecutor(6) as pool:
        readers = [pool.submit(read, n) for n in range(6)]
        writer.start()
        writer.join()
        counts = [reader.result() for reader in readers]

    assert _count(store) == 30
    assert all(0 <= count <= 30 for count in counts)
    store.close()


def test_a_failed_transaction_stores_nothing(store: DuckDBStore) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.append("events", event_table([event_row()]))
        raise RuntimeError("boom")

    assert _count(store) == 0
    store.close()


def test_a_transaction_reads_its_own_writes_and_others_see_them_at_commit(
    store: DuckDBStore,
) -> None:
    outside: list[int] = []
    with store.transaction():
        store.append("events", event_table([event_row()]))
        inside = _count(store)
        reader = threading.Thread(target=lambda: outside.append(_count(store)))
        reader.start()
        reader.join()

    assert (inside, outside, _count(store)) == (1, [0], 1)
    store.close()


def test_each_append_is_stored_sorted_by_profile_day_and_visitor(store: DuckDBStore) -> None:
    rows = [
        event_row(
            profile_id=profile, anonymous_id=visitor, event_id=f"{profile}{visitor}{n}", ts=T0
        )
        for n in range(2)
        for visitor in ("v1", "v2", "v3")
        for profile in ("p2", "p1")
    ]
    store.append("events", event_table(rows))

    stored = store.query(Sql("SELECT profile_id, visitor_key FROM event_rows"))  # storage order

    expected = sorted((row["profile_id"], row["visitor_key"]) for row in rows)
    assert stored == expected
    assert expected[0][1] == min(visitor_key("p1", v) for v in ("v1", "v2", "v3"))
    store.close()


def test_a_closed_store_fails_its_ping(tmp_path: Path) -> None:
    closed = DuckDBStore(tmp_path / "events.duckdb")
    closed.ping()
    closed.close()
    with pytest.raises(Exception):  # noqa: B017 - duckdb's own error type for a closed connection
        closed.ping()
