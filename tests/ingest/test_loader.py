"""The loader moves spooled events into the event store exactly once, on both engines, also
across crashes at the awkward moments."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.store.engines import ENGINES, T0, discard, event_row, ndjson, open_test_store

from touchline.errors import Conflict
from touchline.ingest import spool
from touchline.ingest.loader import Loader, first_copies
from touchline.ingest.spool import HEADER, Spool
from touchline.store.base import EventStore, Sql


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    event_store = open_test_store(str(request.param), tmp_path)
    try:
        yield event_store
    finally:
        discard(event_store)


@pytest.fixture
def spool_dir(tmp_path: Path) -> Path:
    return tmp_path / "spool"


def _loader(spool_dir: Path, store: EventStore, **options: Any) -> Loader:
    options.setdefault("batch_events", 1000)
    return Loader(spool_dir=spool_dir, store=store, **options)


def _spool(spool_dir: Path, *batches: list[dict[str, Any]]) -> None:
    with Spool(spool_dir, segment_bytes=1 << 20) as writer:
        for rows in batches:
            writer.append_blocking(ndjson(rows))


def _stored(store: EventStore) -> list[tuple[Any, ...]]:
    return store.query(Sql("SELECT event_id, count(*) FROM events GROUP BY event_id ORDER BY 1"))


def _rows(n: int, prefix: str = "e", **fields: Any) -> list[dict[str, Any]]:
    return [
        event_row(event_id=f"{prefix}{i:04d}", ts=T0 + dt.timedelta(seconds=i), **fields)
        for i in range(n)
    ]


def test_every_spooled_event_is_stored_once_and_sealed_segments_go(
    spool_dir: Path, store: EventStore
) -> None:
    _spool(spool_dir, _rows(30)[:10], _rows(30)[10:])
    loader = _loader(spool_dir, store)

    assert loader.drain() == 30

    assert _stored(store) == [(f"e{i:04d}", 1) for i in range(30)]
    assert spool.segments(spool_dir) == []
    assert store.query(Sql("SELECT count(*) FROM spool_checkpoints")) == [(0,)]
    loader.stop()


def test_retries_are_stored_once_within_and_across_batches(
    spool_dir: Path, store: EventStore
) -> None:
    rows = _rows(5)
    _spool(spool_dir, rows, rows[:2], [rows[4]])  # client retries
    loader = _loader(spool_dir, store, batch_events=6)

    while loader.drain_once():
        pass
    _spool(spool_dir, rows)  # a replay after everything was loaded
    loader.drain()

    assert _stored(store) == [(f"e{i:04d}", 1) for i in range(5)]
    loader.stop()


def test_the_same_event_id_in_two_profiles_is_two_events(
    spool_dir: Path, store: EventStore
) -> None:
    _spool(
        spool_dir,
        [event_row(profile_id="a", event_id="x"), event_row(profile_id="b", event_id="x")],
    )
    loader = _loader(spool_dir, store)
    loader.drain()

    assert store.query(Sql("SELECT profile_id FROM events ORDER BY 1")) == [("a",), ("b",)]
    loader.stop()


def test_after_load_gets_exactly_the_new_rows(spool_dir: Path, store: EventStore) -> None:
    seen: list[pa.Table] = []
    rows = _rows(4)
    _spool(spool_dir, rows, rows[:3])
    loader = _loader(spool_dir, store, after_load=lambda _store, table: seen.append(table))

    loader.drain()

    new = pa.concat_tables(seen)
    assert sorted(new["event_id"].to_pylist()) == [f"e{i:04d}" for i in range(4)]
    assert new.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    loader.stop()


def test_a_truncated_segment_loads_exactly_its_whole_frames_once(
    spool_dir: Path, store: EventStore
) -> None:
    _spool(spool_dir, *[[row] for row in _rows(3)])
    (segment,) = spool.segments(spool_dir)
    data = segment.path.read_bytes()
    segment.path.write_bytes(data[: len(data) - 7])  # the writer died inside frame three
    loader = _loader(spool_dir, store)

    loader.drain()
    loader.drain()

    assert _stored(store) == [("e0000", 1), ("e0001", 1)]
    assert spool.segments(spool_dir) == []
    loader.stop()


def test_a_dead_writers_open_segment_is_drained_and_retired(
    spool_dir: Path, store: EventStore
) -> None:
    _spool(spool_dir, _rows(3))
    (segment,) = spool.segments(spool_dir)
    dead = segment.path.rename(segment.path.with_suffix(spool.OPEN))  # as kill -9 leaves it
    with dead.open("ab") as file:
        file.write(HEADER.pack(spool.MAGIC, 1000, 0, 1, 0) + b'{"torn')

    loader = _loader(spool_dir, store)
    loader.drain()

    assert len(_stored(store)) == 3
    assert spool.segments(spool_dir) == []
    loader.stop()


def test_a_live_segment_is_loaded_as_it_grows_and_kept(spool_dir: Path, store: EventStore) -> None:
    writer = Spool(spool_dir, segment_bytes=1 << 20)
    loader = _loader(spool_dir, store)
    writer.append_blocking(ndjson(_rows(2)))
    loader.drain()
    writer.append_blocking(ndjson(_rows(4)[2:]))
    loader.drain()

    assert len(_stored(store)) == 4
    assert [s.sealed for s in spool.segments(spool_dir)] == [False]
    writer.close()
    loader.drain()
    assert spool.segments(spool_dir) == []
    loader.stop()


def test_a_crash_between_commit_and_segment_deletion_loads_nothing_twice(
    spool_dir: Path, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _spool(spool_dir, _rows(20))
    crashed = _loader(spool_dir, store)

    def crash(*_: object) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(crashed, "_retire", crash)
    with pytest.raises(SystemExit):
        crashed.drain()
    crashed.stop()
    assert len(spool.segments(spool_dir)) == 1  # the loaded segment is still there

    restarted = _loader(spool_dir, store)
    restarted.drain()

    assert _stored(store) == [(f"e{i:04d}", 1) for i in range(20)]
    assert spool.segments(spool_dir) == []
    restarted.stop()


def test_a_crash_between_rows_and_checkpoint_loads_nothing_twice(
    spool_dir: Path, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB rolls the rows back with the transaction; ClickHouse keeps them and the replay's
    # dedup finds them stored.
    _spool(spool_dir, _rows(20))
    append = store.append

    def crash_on_checkpoint(table: str, rows: pa.Table) -> None:
        if table == "spool_checkpoints":
            raise SystemExit("killed")
        append(table, rows)

    crashed = _loader(spool_dir, store)
    monkeypatch.setattr(store, "append", crash_on_checkpoint)
    with pytest.raises(SystemExit):
        crashed.drain()
    crashed.stop()
    monkeypatch.setattr(store, "append", append)

    restarted = _loader(spool_dir, store)
    restarted.drain()

    assert _stored(store) == [(f"e{i:04d}", 1) for i in range(20)]
    restarted.stop()


def test_lag_is_the_age_of_the_oldest_unloaded_frame(spool_dir: Path, store: EventStore) -> None:
    now = [1_800_000_000.0]
    with Spool(spool_dir, segment_bytes=1 << 20, clock=lambda: now[0]) as writer:
        writer.append_blocking(ndjson(_rows(2)))
        now[0] += 5
        writer.append_blocking(ndjson(_rows(4)[2:]))
    loader = _loader(spool_dir, store, clock=lambda: now[0] + 10)

    assert loader.lag_seconds() == pytest.approx(15.0)
    assert loader.pending_bytes() > 0
    loader.drain()
    assert loader.lag_seconds() == 0.0
    assert loader.pending_bytes() == 0
    loader.stop()


def test_one_loader_per_spool(spool_dir: Path, store: EventStore) -> None:
    first = _loader(spool_dir, store)
    first.drain()
    second = _loader(spool_dir, store)

    with pytest.raises(Conflict):
        second.drain()
    first.stop()
    second.drain()  # free once the first one stopped
    second.stop()


def test_an_undecodable_frame_is_set_aside_and_the_rest_loads(
    spool_dir: Path, store: EventStore
) -> None:
    with Spool(spool_dir, segment_bytes=1 << 20) as writer:
        writer.append_blocking(ndjson(_rows(2)))
        writer.append_blocking(b'{"profile_id": "p", "ts": "not a number"}\n')
        writer.append_blocking(ndjson(_rows(3)[2:]))
    loader = _loader(spool_dir, store)

    loader.drain()

    assert len(_stored(store)) == 3
    (rejected,) = (spool_dir / "rejected").iterdir()
    assert b"not a number" in rejected.read_bytes()
    loader.stop()


def test_rows_without_keys_are_dropped(spool_dir: Path, store: EventStore) -> None:
    rows = _rows(4)
    rows[1]["visitor_key"] = None
    rows[2]["event_id"] = ""
    _spool(spool_dir, rows)
    loader = _loader(spool_dir, store)

    assert loader.drain() == 4

    assert _stored(store) == [("e0000", 1), ("e0003", 1)]
    loader.stop()


def test_drain_once_moves_about_one_batch(spool_dir: Path, store: EventStore) -> None:
    _spool(spool_dir, *[_rows(50)[i : i + 5] for i in range(0, 50, 5)])
    loader = _loader(spool_dir, store, batch_events=12)

    consumed = [loader.drain_once() for _ in range(6)]

    assert consumed == [15, 15, 15, 5, 0, 0]  # whole frames: the third one passes 12
    assert len(_stored(store)) == 50
    loader.stop()


def test_the_background_thread_loads_what_arrives(spool_dir: Path, store: EventStore) -> None:
    loader = _loader(spool_dir, store)
    loader.start(interval_seconds=0.01)
    try:
        _spool(spool_dir, _rows(7))
        deadline = time.monotonic() + 20
        while len(_stored(store)) < 7 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        loader.stop()

    assert len(_stored(store)) == 7


def test_submitted_jobs_run_on_the_loader_thread_and_return_their_result(
    spool_dir: Path, store: EventStore
) -> None:
    loader = _loader(spool_dir, store)
    loader.start(interval_seconds=30)  # a long rest: the submit itself must wake the loop
    try:
        _spool(spool_dir, _rows(3))
        counted = loader.submit(lambda s: (threading.current_thread().name, len(_stored(s))))
        name, _ = counted.result(timeout=20)
        failing = loader.submit(lambda s: 1 // 0)
        with pytest.raises(ZeroDivisionError):
            failing.result(timeout=20)
    finally:
        loader.stop()

    assert name == "loader"


def test_the_tick_runs_between_batches_and_its_failures_do_not_stop_loading(
    spool_dir: Path, store: EventStore
) -> None:
    ticks: list[int] = []

    def tick(s: EventStore) -> None:
        ticks.append(len(_stored(s)))
        if len(ticks) == 1:
            raise RuntimeError("first tick fails")

    loader = _loader(spool_dir, store, on_tick=tick)
    loader.start(interval_seconds=0.01)
    try:
        _spool(spool_dir, _rows(4))
        deadline = time.monotonic() + 20
        while (len(ticks) < 3 or ticks[-1] < 4) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        loader.stop()

    assert len(ticks) >= 3 and ticks[-1] == 4


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(
        st.tuples(st.sampled_from(["p1", "p2"]), st.sampled_from(["a", "b", "c", "d"])),
        max_size=30,
    )
)
def test_first_copies_keeps_each_event_once_first_copy_first(keys: list[tuple[str, str]]) -> None:
    rows = pa.table(
        {
            "profile_id": [profile for profile, _ in keys],
            "event_id": [event for _, event in keys],
            "position": list(range(len(keys))),
        }
    )

    kept = first_copies(rows)

    expected = [i for i, key in enumerate(keys) if key not in keys[:i]]
    assert kept["position"].to_pylist() == expected
