"""Historical import: collect-shaped events (plus each event's `ip` and `user_agent`) from a
JSONL file or a generator, through the live pipeline into the same durable spool the server
drains. A bad line is reported with its number and skipped; it never aborts the file."""

from __future__ import annotations

import fcntl
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Final

import msgspec
import pyarrow as pa

from touchline.control.db import Database
from touchline.control.profile_directory import ProfileDirectory
from touchline.errors import Conflict, InvalidPayload
from touchline.ingest.context import ProfileContext, RequestContext
from touchline.ingest.loader import LOADER_LOCK, Loader
from touchline.ingest.pipeline import Pipeline, PipelineResult, build_pipeline, encode_rows
from touchline.ingest.protocol import RawEvent
from touchline.ingest.spool import Spool
from touchline.processing.after_load import after_load_steps
from touchline.settings import Settings
from touchline.store import open_store
from touchline.store.base import EventStore

CHUNK_EVENTS: Final = 2_000  # events per pipeline run and per durable spool frame
MAX_LINE_BYTES: Final = 1024 * 1024  # one event; a longer line is reported, not read whole
MAX_KEPT_INVALID: Final = 10_000  # bad lines kept with their error; the rest are only counted
ORIGIN: Final = "import"

Numbered = tuple[int, RawEvent]  # (line number, event)
Clock = Callable[[], float]  # seconds since the epoch
Progress = Callable[[int], None]  # called with how many more units (bytes or events) are done


@dataclass(frozen=True, slots=True)
class InvalidLine:
    line: int
    error: str


@dataclass(slots=True)
class ImportReport:
    """What an import did: filled in while it runs, read when it is over."""

    events: int = 0  # valid events read
    imported: int = 0  # enriched and durable in the spool
    dropped: Counter[str] = field(default_factory=Counter)  # by the pipeline's drop reason
    invalid: list[InvalidLine] = field(default_factory=list)  # the first MAX_KEPT_INVALID
    invalid_lines: int = 0
    # Rows this command loaded into the event store itself, or None when a running server's
    # loader picks them up.
    loaded: int | None = None

    def reject(self, line: int, error: str) -> None:
        self.invalid_lines += 1
        if len(self.invalid) < MAX_KEPT_INVALID:
            self.invalid.append(InvalidLine(line, error))


class Importer:
    """Runs numbered events through the pipeline in chunks and appends each chunk durably."""

    def __init__(
        self,
        *,
        pipeline: Pipeline,
        spool: Spool,
        profile: ProfileContext,
        clock: Clock = time.time,
        chunk_events: int = CHUNK_EVENTS,
        origin: str = ORIGIN,
    ) -> None:
        self.pipeline = pipeline
        self.spool = spool
        self.clock = clock
        self.chunk_events = chunk_events
        self.context = RequestContext(
            profile=profile,
            client_ip="",
            user_agent="",
            received_at_us=0,
            origin=origin,
            live=False,
        )
        self.report = ImportReport()

    def feed(self, events: Iterable[Numbered], on_chunk: Progress | None = None) -> ImportReport:
        chunk: list[Numbered] = []
        for numbered in events:
            chunk.append(numbered)
            if len(chunk) >= self.chunk_events:
                self._run(chunk, on_chunk)
                chunk = []
        if chunk:
            self._run(chunk, on_chunk)
        self.report.invalid.sort(key=lambda bad: bad.line)
        return self.report

    def _run(self, chunk: list[Numbered], on_chunk: Progress | None) -> None:
        context = replace(self.context, received_at_us=int(self.clock() * 1_000_000))
        try:
            result = self.pipeline.run([event for _, event in chunk], context)
        except InvalidPayload:
            result = self._run_one_by_one(chunk, context)
        if result.rows:
            self.spool.append_blocking(encode_rows(result.rows))
        self.report.events += len(chunk)
        self.report.imported += len(result.rows)
        self.report.dropped.update({str(reason): n for reason, n in result.dropped.items()})
        if on_chunk is not None:
            on_chunk(len(chunk))

    def _run_one_by_one(self, chunk: list[Numbered], context: RequestContext) -> PipelineResult:
        """A chunk the pipeline refused as a whole: find the events at fault, keep the rest."""
        kept = PipelineResult(rows=[])
        for line, event in chunk:
            try:
                result = self.pipeline.run([event], context)
            except InvalidPayload as error:
                self.report.reject(line, error.message)
                self.report.events -= 1
                continue
            kept.rows.extend(result.rows)
            kept.dropped.update(result.dropped)
        return kept


def read_events(handle: BinaryIO, report: ImportReport) -> Iterator[Numbered]:
    """Decode each non-blank JSONL line into a `RawEvent`; record the bad ones in `report`."""
    decoder = msgspec.json.Decoder(RawEvent)
    for number, line in _lines(handle):
        if line is None:
            report.reject(number, f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        if not line.strip():
            continue
        try:
            yield number, decoder.decode(line)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            report.reject(number, str(error))


def _lines(handle: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines; None for a line over MAX_LINE_BYTES (its rest is skipped unread)."""
    number = 0
    while line := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def import_file(
    *,
    settings: Settings,
    profile: ProfileContext,
    path: Path,
    on_progress: Progress | None = None,
    clock: Clock = time.time,
) -> ImportReport:
    """Import a JSONL file into the spool. `on_progress` is told the bytes read as it goes."""
    with path.open("rb") as handle, _importer(settings, profile, clock) as importer:
        done = 0

        def advance(_events: int) -> None:
            nonlocal done
            if on_progress is not None:
                on_progress(handle.tell() - done)
            done = handle.tell()

        return importer.feed(read_events(handle, importer.report), advance)


def import_events(
    *,
    settings: Settings,
    profile: ProfileContext,
    events: Iterable[RawEvent],
    on_progress: Progress | None = None,
    clock: Clock = time.time,
    origin: str = ORIGIN,
) -> ImportReport:
    """Import events made in memory (the demo, connectors' backfills), numbered from 1 like
    file lines; `on_progress` is told the events done as it goes. `origin` marks where they
    came from (`webhook:stripe`, `sync:ghl`: server-side events never make sessions)."""
    with _importer(settings, profile, clock, origin) as importer:
        return importer.feed(enumerate(events, 1), on_progress)


@contextmanager
def _importer(
    settings: Settings, profile: ProfileContext, clock: Clock, origin: str = ORIGIN
) -> Iterator[Importer]:
    settings.ensure_data_dir()
    pipeline = build_pipeline(settings)
    spool = Spool(settings.spool_dir, segment_bytes=settings.spool_segment_bytes)
    try:
        yield Importer(pipeline=pipeline, spool=spool, profile=profile, clock=clock, origin=origin)
    finally:
        spool.close()
        pipeline.close()


def load_if_idle(settings: Settings) -> int | None:
    """Load what the spool holds into the event store, unless a running server's loader is
    draining it (the server owns the store then, and loads the import itself). Returns the
    new rows loaded, or None when the server's loader has it."""
    if loader_busy(settings.spool_dir):
        return None
    database = Database.open(settings)
    try:
        database.migrate()
        return _drain(settings, database)
    finally:
        database.close()


class _CountingHook:
    """The server's after-load steps, counting the rows loaded."""

    def __init__(self, database: Database) -> None:
        self.steps = after_load_steps(database, ProfileDirectory(database))
        self.rows = 0

    def __call__(self, store: EventStore, rows: pa.Table) -> None:
        self.rows += rows.num_rows
        self.steps(store, rows)


def _drain(settings: Settings, database: Database) -> int | None:
    try:
        store = open_store(settings.resolved_event_store_url)
    except Exception:
        if loader_busy(settings.spool_dir):
            return None  # a server started meanwhile: it holds the store and loads the spool
        raise
    hook = _CountingHook(database)
    loader = Loader(
        spool_dir=settings.spool_dir,
        store=store,
        batch_events=settings.loader_batch_events,
        after_load=hook,
    )
    try:
        store.migrate()
        loader.drain()
    except Conflict:
        return None  # a server's loader took the spool between the probe and our first batch
    finally:
        loader.stop()
        store.close()
    return hook.rows


def loader_busy(spool_dir: Path) -> bool:
    """Whether a loader (the server's) holds the spool's loader lock right now."""
    lock = spool_dir / LOADER_LOCK
    if not lock.exists():
        return False
    descriptor = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # closing also releases the probe's own lock
    return False
