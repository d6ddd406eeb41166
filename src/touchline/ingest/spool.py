"""The durable spool: append-only segment files with group commit.

Concurrent appends share one write + fdatasync done by a writer thread; each caller returns
once its bytes are durable. A frame is a header (magic, payload length, crc32, NDJSON rows,
write time in epoch µs) and a payload: the NDJSON enriched rows of one commit group (split at
`FRAME_BYTES`), so the loader handles few large frames however small the appends are.
Each process writes its own segment, `<created µs>-<pid>-<random>.open`, holding an flock on it;
a rolled or closed segment is renamed `.seg`. An `.open` segment whose lock is free was left
by a dead process: the loader seals it `.dead` and drains it, checking each frame's crc32 (a
torn tail frame is ignored).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import secrets
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from touchline.errors import PayloadTooLarge, Unavailable

log = logging.getLogger(__name__)

MAGIC = b"TLS1"
HEADER = struct.Struct("<4sIIIq")  # magic, payload length, crc32(payload), rows, written_at µs
MAX_FRAME_BYTES = 256 * 1024 * 1024  # largest single append
FRAME_BYTES = 4 * 1024 * 1024  # appends of one group share a frame up to this size
ORPHAN_AGE_SECONDS = 60.0  # a `.new` file this old belongs to a writer that died
OPEN, SEALED, ABANDONED, NEW = ".open", ".seg", ".dead", ".new"

Clock = Callable[[], float]


class _Group:
    """Appends that share one write and one fdatasync."""

    __slots__ = ("done", "error", "payloads", "waiters")

    def __init__(self) -> None:
        self.payloads: list[bytes] = []
        self.waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.done = threading.Event()
        self.error: BaseException | None = None


class Spool:
    """One process's writer of the spool directory (`settings.spool_dir`)."""

    def __init__(self, directory: Path, *, segment_bytes: int, clock: Clock = time.time) -> None:
        self.directory = directory
        self._segment_bytes = segment_bytes
        self._clock = clock
        directory.mkdir(parents=True, exist_ok=True)
        self._cond = threading.Condition()
        self._pending = _Group()
        self._closing = False
        self._fd: int | None = None
        self._path: Path | None = None
        self._size = 0
        self.commits = 0  # groups made durable (each one write + one fdatasync)
        self._thread = threading.Thread(target=self._run, name="spool-writer", daemon=True)
        self._thread.start()

    async def append(self, payload: bytes) -> None:
        """Return once `payload` is durable (raises `Unavailable` if the write failed)."""
        if not payload:
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._cond:
            self._enqueue(payload)
            self._pending.waiters.append((loop, future))
        await future

    def append_blocking(self, payload: bytes) -> None:
        """`append` for threads without an event loop (the CLI import)."""
        if not payload:
            return
        with self._cond:
            self._enqueue(payload)
            group = self._pending
        group.done.wait()
        if group.error is not None:
            raise Unavailable("the spool could not write the events") from group.error

    def close(self) -> None:
        """Make everything appended durable, seal the segment and stop the writer thread."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _enqueue(self, payload: bytes) -> None:
        if self._closing:
            raise Unavailable("the spool is closed")
        if len(payload) > MAX_FRAME_BYTES:
            raise PayloadTooLarge(f"a spool frame holds at most {MAX_FRAME_BYTES} bytes")
        self._pending.payloads.append(payload)
        self._cond.notify()

    # --- the writer thread --------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending.payloads and not self._closing:
                    self._cond.wait()
                group = self._pending
                if not group.payloads:
                    break
                self._pending = _Group()
            self._commit(group)
        if self._fd is not None:
            try:
                self._seal()
            except OSError:  # the frames are durable; the loader seals a dead `.open` itself
                log.exception("spool: could not seal %s", self._path)

    def _commit(self, group: _Group) -> None:
        try:
            self._write(group.payloads)
            self.commits += 1
        except Exception as error:  # whatever it was, every waiter must hear of it
            group.error = error
            self._abandon()
        group.done.set()
        _notify(group)

    def _write(self, payloads: list[bytes]) -> None:
        fd = self._fd if self._fd is not None else self._open()
        written_at = int(self._clock() * 1_000_000)
        parts: list[bytes] = []
        for body in _bodies(payloads):
            rows = body.count(b"\n")
            parts.append(HEADER.pack(MAGIC, len(body), zlib.crc32(body), rows, written_at))
            parts.append(body)
        buffer = memoryview(b"".join(parts))
        self._size += len(buffer)
        while buffer:
            buffer = buffer[os.write(fd, buffer) :]
        os.fdatasync(fd)
        if self._size >= self._segment_bytes:
            self._seal()

    def _open(self) -> int:
        stem = f"{int(self._clock() * 1_000_000):016d}-{os.getpid()}-{secrets.token_hex(3)}"
        new = self.directory / f"{stem}{NEW}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
        fd = os.open(new, flags, 0o644)
        # Locked before it gets its `.open` name, so no loader ever sees it unlocked alive.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._path = self.directory / f"{stem}{OPEN}"
        new.rename(self._path)
        _fsync_directory(self.directory)
        self._fd, self._size = fd, 0
        return fd

    def _seal(self, suffix: str = SEALED) -> None:
        assert self._fd is not None and self._path is not None
        try:
            self._path.rename(self._path.with_suffix(suffix))
            _fsync_directory(self.directory)
        finally:
            os.close(self._fd)
            self._fd, self._path = None, None

    def _abandon(self) -> None:
        # A failed write may leave a partial or unsynced frame: nothing may follow it in this
        # segment, and the loader checks its frames.
        if self._fd is None:
            return
        try:
            self._seal(ABANDONED)
        except OSError:
            self._fd, self._path = None, None


def _bodies(payloads: list[bytes]) -> Iterator[bytes]:
    """Frame payloads: the appended NDJSON, newline-terminated, joined up to FRAME_BYTES."""
    chunk: list[bytes] = []
    size = 0
    for payload in payloads:
        if not payload.endswith(b"\n"):
            payload += b"\n"
        if chunk and size + len(payload) > FRAME_BYTES:
            yield b"".join(chunk)
            chunk, size = [], 0
        chunk.append(payload)
        size += len(payload)
    if chunk:
        yield b"".join(chunk)


def _notify(group: _Group) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for loop, future in group.waiters:
        by_loop.setdefault(loop, []).append(future)
    for loop, futures in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, futures, group.error)
        except RuntimeError:  # the loop is closed: nobody waits any more
            continue


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the request was cancelled; its bytes are durable anyway
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(Unavailable("the spool could not write the events"))


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- Reading (the loader's side) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    path: Path
    name: str  # the stem: stable across sealing, the loader's checkpoint key
    sealed: bool  # no writer will append to it again
    abandoned: bool = False  # sealed after its writer died or failed: frames are CRC-checked

    @property
    def verify(self) -> bool:
        """Whether frames need their checksums checked. A writer seals a segment only after
        fdatasync, and a live writer's frames sit intact in the page cache; only what a dead
        or failed writer left (a power cut's tail) can hold torn or garbled bytes."""
        return self.abandoned


@dataclass(frozen=True, slots=True)
class Frame:
    start: int  # offset of the header in the segment
    end: int  # offset just past the payload
    written_at_us: int
    events: int  # NDJSON rows in the payload

    @property
    def payload_offset(self) -> int:
        return self.start + HEADER.size

    @property
    def payload_length(self) -> int:
        return self.end - self.payload_offset


def segments(directory: Path) -> list[Segment]:
    """The spool's segments, oldest first (names start with the creation time)."""
    found = []
    for path in directory.iterdir():
        if path.suffix in (OPEN, SEALED, ABANDONED):
            sealed, abandoned = path.suffix != OPEN, path.suffix == ABANDONED
            found.append(Segment(path, path.stem, sealed=sealed, abandoned=abandoned))
    return sorted(found, key=lambda s: s.name)


def writer_alive(segment: Segment) -> bool:
    """Whether a process still writes this `.open` segment (it holds the flock)."""
    if segment.sealed:
        return False
    try:
        fd = os.open(segment.path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:  # sealed meanwhile
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def seal_abandoned(segment: Segment) -> Segment:
    """Seal the `.open` segment of a dead writer as `.dead`: its frames get checked and its
    torn tail, if any, is never read."""
    sealed = segment.path.with_suffix(ABANDONED)
    with contextlib.suppress(FileNotFoundError):  # sealed by someone already
        segment.path.rename(sealed)
    return Segment(sealed, segment.name, sealed=True, abandoned=True)


def remove_orphans(directory: Path, *, min_age_seconds: float = ORPHAN_AGE_SECONDS) -> None:
    """Remove `.new` files of writers that died between creating and naming a segment. A live
    writer holds its `.new` file unlocked for an instant (between create and flock), so only
    files older than `min_age_seconds` are orphans."""
    now = time.time()
    for path in directory.glob(f"*{NEW}"):
        probe = Segment(path, path.stem, sealed=False)
        try:
            stat = path.stat()
        except FileNotFoundError:  # named meanwhile
            continue
        old = now - stat.st_mtime > min_age_seconds
        if old and stat.st_size == 0 and not writer_alive(probe):
            path.unlink(missing_ok=True)


def scan(segment: Segment, offset: int, *, max_bytes: int) -> tuple[list[Frame], bool]:
    """The whole, valid frames from `offset`, about `max_bytes` of them (at least one), and
    whether the scan saw everything valid in the file. It stops at the first incomplete or
    corrupt frame: the live tail of a written segment, or the torn tail of a dead writer's.
    Only headers are read unless the segment needs checking."""
    frames: list[Frame] = []
    with segment.path.open("rb", buffering=0) as file:
        fd = file.fileno()
        size, position = os.fstat(fd).st_size, offset
        while position + HEADER.size <= size:
            if frames and position - offset >= max_bytes:
                return frames, False
            magic, length, crc, rows, written_at = HEADER.unpack(
                os.pread(fd, HEADER.size, position)
            )
            end = position + HEADER.size + length
            if magic != MAGIC or end > size:
                break
            if segment.verify and zlib.crc32(_pread(fd, length, end - length)) != crc:
                break
            frames.append(Frame(position, end, written_at, rows))
            position = end
    return frames, True


def read_payload(path: Path, frame: Frame) -> bytes:
    with path.open("rb", buffering=0) as file:
        return _pread(file.fileno(), frame.payload_length, frame.payload_offset)


def copy_payloads(path: Path, frames: list[Frame], target_fd: int) -> None:
    """Append the frames' payloads to `target_fd` (in the kernel: no copy through Python)."""
    with path.open("rb", buffering=0) as file:
        for frame in frames:
            offset, left = frame.payload_offset, frame.payload_length
            while left:
                sent = os.sendfile(target_fd, file.fileno(), offset, left)
                if sent == 0:
                    raise OSError(f"spool segment {path.name} shrank while being read")
                offset, left = offset + sent, left - sent


def _pread(fd: int, length: int, offset: int) -> bytes:
    data = os.pread(fd, length, offset)
    while len(data) < length:
        more = os.pread(fd, length - len(data), offset + len(data))
        if not more:
            break
        data += more
    return data


def frame_written_at(path: Path, offset: int) -> int | None:
    """Write time (epoch µs) of the frame at `offset`, or None when there is none yet."""
    try:
        with path.open("rb") as file:
            file.seek(offset)
            header = file.read(HEADER.size)
    except FileNotFoundError:
        return None
    if len(header) < HEADER.size:
        return None
    magic, *_, written_at = HEADER.unpack_from(header, 0)
    return int(written_at) if magic == MAGIC else None
