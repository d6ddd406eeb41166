"""The loader: drains the spool into the event plane in batches, exactly once.

Each batch is decoded to Arrow, deduplicated by (profile_id, event_id) — within the batch and
against stored events in the batch's time range and profiles — and appended, sorted, together
with the segments' new checkpoint offsets in one transaction (DuckDB). ClickHouse has no
transactions: there a crash between rows and checkpoint replays the frames, and the same
dedup finds them stored. Fully loaded sealed segments are deleted.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from touchline.errors import Conflict, InvalidPayload
from touchline.ingest import spool
from touchline.store.base import EventStore, Sql
from touchline.store.ndjson import RowDecoder
from touchline.store.schema import EVENT_SCHEMA, SPOOL_CHECKPOINTS, arrow_schema

log = logging.getLogger(__name__)

AfterLoad = Callable[[EventStore, pa.Table], None]

_READ_BYTES_PER_EVENT = 1024  # read budget per batch event (rows are ~0.5–1.5 KiB of JSON)
_KEYS = ("profile_id", "event_id", "ts", "visitor_key")

DEDUP = """
WITH fresh AS (
    SELECT * FROM batch
    QUALIFY row_number() OVER (PARTITION BY profile_id, event_id ORDER BY seq) = 1
), stored AS (
    SELECT profile_id, event_id FROM events
    WHERE ts BETWEEN $ts_from AND $ts_to AND list_contains($profiles, profile_id)
)
SELECT fresh.seq AS seq FROM fresh
ANTI JOIN stored ON fresh.profile_id = stored.profile_id AND fresh.event_id = stored.event_id
ORDER BY fresh.profile_id, date_trunc('day', fresh.ts), fresh.visitor_key, fresh.ts,
    fresh.event_id
"""
CHECKPOINTS = "SELECT segment, max(end_offset) AS end_offset FROM spool_checkpoints GROUP BY segment"
FORGET_SEGMENT = "DELETE FROM spool_checkpoints WHERE segment = $segment"


@dataclass(slots=True)
class _Take:
    """The frames one batch takes from one segment."""

    segment: spool.Segment
    frames: list[spool.Frame]
    end: int  # checkpoint offset after this batch
    finished: bool  # sealed, and nothing valid remains after `end`


@dataclass(slots=True)
class _Batch:
    takes: list[_Take] = field(default_factory=list)
    events: int = 0

    @property
    def frames(self) -> Iterator[tuple[spool.Segment, spool.Frame]]:
        for take in self.takes:
            for frame in take.frames:
                yield take.segment, frame


class Loader:
    """Moves spooled events into the event store; one per spool directory (file lock)."""

    def __init__(
        self,
        *,
        spool_dir: Path,
        store: EventStore,
        batch_events: int,
        after_load: AfterLoad | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.spool_dir = spool_dir
        self._store = store
        self._batch_events = batch_events
        self._after_load = after_load
        self._clock = clock
        self._offsets: dict[str, int] = {}
        self._synced = False
        self._drain_lock = threading.Lock()
        self._lock_fd: int | None = None
        self._decoder = RowDecoder()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- public --------------------------------------------------------------------------------

    def drain_once(self) -> int:
        """Load at most one batch. Returns the spooled events it consumed (duplicates and
        rejected rows included): 0 means the spool is caught up."""
        with self._drain_lock:
            self._hold_spool_lock()
            self._sync_offsets()
            batch = self._collect()
            inserted = self._load(batch) if batch.events else _empty()
            self._retire([t for t in batch.takes if t.finished])
        if self._after_load is not None and inserted.num_rows:
            self._after_load(self._store, inserted)
        return batch.events

    def drain(self) -> int:
        """Load until the spool is caught up; returns the events consumed."""
        total = 0
        while consumed := self.drain_once():
            total += consumed
        return total

    def start(self, interval_seconds: float) -> None:
        """Drain in a background thread (the event store's one writer thread)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval_seconds,), name="loader", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after its current batch and release the spool's loader lock."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._drain_lock:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def lag_seconds(self) -> float:
        """Age of the oldest durable frame not loaded yet; 0 when caught up."""
        oldest: int | None = None
        for segment in spool.segments(self.spool_dir):
            written = spool.frame_written_at(segment.path, self._offsets.get(segment.name, 0))
            if written is not None and (oldest is None or written < oldest):
                oldest = written
        if oldest is None:
            return 0.0
        return max(0.0, self._clock() - oldest / 1_000_000)

    def pending_bytes(self) -> int:
        """Spooled bytes not loaded yet (a torn tail counts until its segment is retired)."""
        total = 0
        for segment in spool.segments(self.spool_dir):
            try:
                size = segment.path.stat().st_size
            except FileNotFoundError:
                continue
            total += max(0, size - self._offsets.get(segment.name, 0))
        return total

    # --- one batch -----------------------------------------------------------------------------

    def _run(self, interval_seconds: float) -> None:
        while not self._stop.is_set():
            consumed = 0
            try:
                consumed = self.drain_once()
            except Exception:
                log.exception("loader: batch failed; retrying")
            if consumed < self._batch_events:
                self._stop.wait(interval_seconds)

    def _hold_spool_lock(self) -> None:
        if self._lock_fd is not None:
            return
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.spool_dir / "loader.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            os.close(fd)
            raise Conflict("another loader is draining this spool") from error
        self._lock_fd = fd

    def _sync_offsets(self) -> None:
        # This loader is the checkpoints' only writer (the lock), so memory stays in step.
        if not self._synced:
            rows = self._store.query(Sql(CHECKPOINTS))
            self._offsets = {segment: int(end) for segment, end in rows}
            self._synced = True

    def _collect(self) -> _Batch:
        batch = _Batch()
        spool.remove_orphans(self.spool_dir)
        for segment in spool.segments(self.spool_dir):
            if batch.events >= self._batch_events:
                break
            if not segment.sealed and not spool.writer_alive(segment):
                segment = spool.seal_abandoned(segment)
            take = self._take(segment, self._batch_events - batch.events)
            if take.frames or take.finished:
                batch.takes.append(take)
                batch.events += sum(frame.events for frame in take.frames)
        return batch

    def _take(self, segment: spool.Segment, budget: int) -> _Take:
        start = self._offsets.get(segment.name, 0)
        try:
            frames, at_eof = spool.read_frames(
                segment.path, start, max_bytes=budget * _READ_BYTES_PER_EVENT
            )
        except FileNotFoundError:  # sealed or retired meanwhile; seen again next time
            return _Take(segment, [], start, finished=False)
        taken, events = [], 0
        for frame in frames:
            if events >= budget:
                break
            taken.append(frame)
            events += frame.events
        end = taken[-1].end if taken else start
        finished = segment.sealed and at_eof and len(taken) == len(frames)
        if finished and end < segment.path.stat().st_size:
            log.warning("loader: ignoring the torn tail of spool segment %s", segment.name)
        return _Take(segment, taken, end, finished)

    def _load(self, batch: _Batch) -> pa.Table:
        rows = self._decode(batch)
        fresh = self._fresh(rows)
        checkpoints = self._checkpoints(batch)
        with self._store.transaction():
            self._store.append("events", fresh)
            self._store.append(SPOOL_CHECKPOINTS.name, checkpoints)
        for take in batch.takes:
            self._offsets[take.segment.name] = take.end
        return fresh

    def _decode(self, batch: _Batch) -> pa.Table:
        scratch = self.spool_dir / "loader.scratch"
        try:
            _write_ndjson(scratch, (frame for _, frame in batch.frames))
            return self._decoder.decode(scratch)
        except InvalidPayload:
            return self._decode_each(batch, scratch)
        finally:
            scratch.unlink(missing_ok=True)

    def _decode_each(self, batch: _Batch, scratch: Path) -> pa.Table:
        # One bad frame must not stop the loader: set it aside and load the others.
        tables = []
        for segment, frame in batch.frames:
            _write_ndjson(scratch, [frame])
            try:
                tables.append(self._decoder.decode(scratch))
            except InvalidPayload as error:
                self._reject(segment, frame, error)
        return pa.concat_tables(tables) if tables else _empty()

    def _reject(self, segment: spool.Segment, frame: spool.Frame, error: InvalidPayload) -> None:
        rejected = self.spool_dir / "rejected"
        rejected.mkdir(exist_ok=True)
        (rejected / f"{segment.name}-{frame.start}.ndjson").write_bytes(frame.payload)
        log.error("loader: set aside an undecodable spool frame of %s: %s", segment.name, error)

    def _fresh(self, rows: pa.Table) -> pa.Table:
        """The rows not stored yet, first copy of each, sorted for storage."""
        rows = _valid(rows)
        if rows.num_rows == 0:
            return rows
        keys = rows.select(list(_KEYS)).append_column("seq", pa.array(range(rows.num_rows)))
        bounds = pc.min_max(rows["ts"])
        params = {
            "ts_from": bounds["min"].as_py(),
            "ts_to": bounds["max"].as_py(),
            "profiles": pc.unique(rows["profile_id"]).to_pylist(),
        }
        order = self._store.query_arrow(Sql(DEDUP, params), tables={"batch": keys})
        return rows.take(order["seq"])

    def _checkpoints(self, batch: _Batch) -> pa.Table:
        now = dt.datetime.fromtimestamp(self._clock(), dt.UTC)
        return pa.table(
            {
                "segment": [take.segment.name for take in batch.takes],
                "end_offset": [take.end for take in batch.takes],
                "loaded_at": [now] * len(batch.takes),
            },
            schema=arrow_schema(SPOOL_CHECKPOINTS.columns),
        )

    def _retire(self, finished: list[_Take]) -> None:
        # File first: a crash before the checkpoint rows go leaves only harmless rows behind.
        for take in finished:
            take.segment.path.unlink(missing_ok=True)
            self._store.execute(Sql(FORGET_SEGMENT, {"segment": take.segment.name}))
            self._offsets.pop(take.segment.name, None)


def _write_ndjson(path: Path, frames: Iterator[spool.Frame] | list[spool.Frame]) -> None:
    with path.open("wb") as file:
        for frame in frames:
            file.write(frame.payload)
            if not frame.payload.endswith(b"\n"):
                file.write(b"\n")


def _valid(rows: pa.Table) -> pa.Table:
    """Drop rows missing a key column (they cannot be stored or deduplicated)."""
    if all(rows[name].null_count == 0 for name in _KEYS):
        return rows
    mask = pc.and_(
        pc.and_(pc.is_valid(rows["profile_id"]), pc.is_valid(rows["event_id"])),
        pc.and_(pc.is_valid(rows["ts"]), pc.is_valid(rows["visitor_key"])),
    )
    kept = rows.filter(mask)
    log.error("loader: dropped %d spooled rows without a key", rows.num_rows - kept.num_rows)
    return kept


def _empty() -> pa.Table:
    return EVENT_SCHEMA.empty_table()
