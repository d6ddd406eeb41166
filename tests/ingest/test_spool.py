"""The durable spool: group commit, framing, segments, and reading what a dead writer left."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from touchline.errors import Unavailable
from touchline.ingest import spool
from touchline.ingest.spool import HEADER, Spool


def _frames(directory: Path) -> list[tuple[spool.Segment, spool.Frame]]:
    out: list[tuple[spool.Segment, spool.Frame]] = []
    for segment in spool.segments(directory):
        out += [(segment, f) for f in spool.scan(segment, 0, max_bytes=1 << 30)[0]]
    return out


def _payloads(directory: Path) -> list[bytes]:
    return [spool.read_payload(segment.path, frame) for segment, frame in _frames(directory)]


def _rows(directory: Path) -> list[bytes]:
    return b"".join(_payloads(directory)).splitlines()


def test_appended_rows_read_back_in_order(tmp_path: Path) -> None:
    with Spool(tmp_path, segment_bytes=1 << 20) as writer:
        writer.append_blocking(b'{"a":1}\n{"a":2}\n')
        writer.append_blocking(b'{"a":3}')  # a missing final newline is added

    assert _rows(tmp_path) == [b'{"a":1}', b'{"a":2}', b'{"a":3}']
    assert [frame.events for _, frame in _frames(tmp_path)] == [2, 1]


def test_concurrent_appends_share_commits(tmp_path: Path) -> None:
    writer = Spool(tmp_path, segment_bytes=1 << 30)

    async def run() -> None:
        await asyncio.gather(*(writer.append(b'{"n":%d}\n' % i) for i in range(200)))

    asyncio.run(run())
    writer.close()

    assert sorted(_rows(tmp_path)) == sorted(b'{"n":%d}' % i for i in range(200))
    assert writer.commits < 200  # one write + fdatasync served many appends
    assert len(_frames(tmp_path)) == writer.commits  # a commit group is one frame


def test_append_returns_only_after_fdatasync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real = os.fdatasync

    def counted(fd: int) -> None:
        real(fd)
        synced.append(fd)

    monkeypatch.setattr(os, "fdatasync", counted)
    writer = Spool(tmp_path, segment_bytes=1 << 20)

    async def append_and_check() -> int:
        await writer.append(b"{}\n")
        return len(synced)

    assert asyncio.run(append_and_check()) == 1
    writer.append_blocking(b"{}\n")
    assert len(synced) == 2
    writer.close()


def test_failed_write_raises_and_the_next_append_starts_a_new_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = Spool(tmp_path, segment_bytes=1 << 20)
    writer.append_blocking(b'{"ok":1}\n')
    real = os.fdatasync

    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fdatasync", broken)
    with pytest.raises(Unavailable):
        writer.append_blocking(b'{"lost":1}\n')
    with pytest.raises(Unavailable):
        asyncio.run(writer.append(b'{"lost":2}\n'))
    monkeypatch.setattr(os, "fdatasync", real)
    writer.append_blocking(b'{"ok":2}\n')
    writer.close()

    # each failed group abandons its segment (its frames will be checked); then a fresh one
    segments = spool.segments(tmp_path)
    assert [(s.sealed, s.abandoned) for s in segments] == [
        (True, True),
        (True, True),
        (True, False),
    ]
    assert b'{"ok":2}' in _rows(tmp_path)


def test_segments_roll_at_the_size_limit_and_close_seals(tmp_path: Path) -> None:
    writer = Spool(tmp_path, segment_bytes=200)
    for i in range(5):
        writer.append_blocking(b'{"row":"%d","pad":"%s"}\n' % (i, b"x" * 100))
    open_segments = [s for s in spool.segments(tmp_path) if not s.sealed]
    writer.close()

    # frames of ~140 bytes: a segment takes two, then passes 200 bytes and is sealed
    segments = spool.segments(tmp_path)
    assert len(segments) == 3 and all(s.sealed for s in segments)
    assert [s.name for s in open_segments] == [segments[-1].name]  # sealed by close()
    assert len(_rows(tmp_path)) == 5


def test_a_live_writer_holds_its_open_segment(tmp_path: Path) -> None:
    writer = Spool(tmp_path, segment_bytes=1 << 20)
    writer.append_blocking(b"{}\n")
    (segment,) = spool.segments(tmp_path)

    assert not segment.sealed and spool.writer_alive(segment)
    writer.close()
    (segment,) = spool.segments(tmp_path)
    assert segment.sealed and not spool.writer_alive(segment)


def test_a_killed_writer_leaves_an_open_segment_nobody_holds(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from touchline.ingest.spool import Spool
        writer = Spool(Path({str(tmp_path)!r}), segment_bytes=1 << 20)
        writer.append_blocking(b'{{"durable":1}}\\n')
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    subprocess.run([sys.executable, "-c", script], check=False, timeout=60)

    (segment,) = spool.segments(tmp_path)
    assert not segment.sealed and not spool.writer_alive(segment)
    sealed = spool.seal_abandoned(segment)
    assert sealed.sealed and sealed.verify and sealed.name == segment.name
    assert spool.segments(tmp_path) == [sealed]
    assert _rows(tmp_path) == [b'{"durable":1}']


def test_scanning_stops_before_a_torn_frame(tmp_path: Path) -> None:
    with Spool(tmp_path, segment_bytes=1 << 20) as writer:
        for i in range(3):
            writer.append_blocking(b'{"n":%d}\n' % i)
    (segment,) = spool.segments(tmp_path)
    whole = segment.path.read_bytes()
    frame = HEADER.size + len(b'{"n":0}\n')

    segment.path.write_bytes(whole[: 2 * frame + 5])  # torn inside the third frame
    frames, complete = spool.scan(segment, 0, max_bytes=1 << 20)

    assert [spool.read_payload(segment.path, f) for f in frames] == [b'{"n":0}\n', b'{"n":1}\n']
    assert complete


def test_an_abandoned_segment_is_checked_frame_by_frame(tmp_path: Path) -> None:
    with Spool(tmp_path, segment_bytes=1 << 20) as writer:
        for i in range(3):
            writer.append_blocking(b'{"n":%d}\n' % i)
    (segment,) = spool.segments(tmp_path)
    frame = HEADER.size + len(b'{"n":0}\n')
    garbled = bytearray(segment.path.read_bytes())
    garbled[frame + HEADER.size] ^= 0xFF  # a power cut garbled the second frame's payload
    segment.path.write_bytes(bytes(garbled))
    abandoned = spool.Segment(segment.path, segment.name, sealed=True, abandoned=True)

    assert len(spool.scan(segment, 0, max_bytes=1 << 20)[0]) == 3  # a clean seal: no check
    frames, complete = spool.scan(abandoned, 0, max_bytes=1 << 20)
    assert [f.start for f in frames] == [0] and complete


def test_scanning_from_an_offset_respects_the_budget_but_returns_a_whole_frame(
    tmp_path: Path,
) -> None:
    with Spool(tmp_path, segment_bytes=1 << 20) as writer:
        writer.append_blocking(b'{"big":"%s"}\n' % (b"y" * 5000))
        writer.append_blocking(b'{"n":2}\n')
    (segment,) = spool.segments(tmp_path)

    frames, complete = spool.scan(segment, 0, max_bytes=100)
    assert len(frames) == 1 and not complete
    rest, complete = spool.scan(segment, frames[0].end, max_bytes=100)
    assert [spool.read_payload(segment.path, f) for f in rest] == [b'{"n":2}\n'] and complete


def test_frames_record_their_write_time(tmp_path: Path) -> None:
    with Spool(tmp_path, segment_bytes=1 << 20, clock=lambda: 1_700_000_000.25) as writer:
        writer.append_blocking(b"{}\n")
    (segment,) = spool.segments(tmp_path)

    assert spool.frame_written_at(segment.path, 0) == 1_700_000_000_250_000
    assert spool.frame_written_at(segment.path, segment.path.stat().st_size) is None


def test_a_closed_spool_refuses_appends(tmp_path: Path) -> None:
    writer = Spool(tmp_path, segment_bytes=1 << 20)
    writer.close()

    with pytest.raises(Unavailable):
        writer.append_blocking(b"{}\n")
    assert spool.segments(tmp_path) == []  # nothing was ever written: no segment


def test_orphaned_new_files_are_removed(tmp_path: Path) -> None:
    orphan = tmp_path / "0000000000000001-1-abcdef.new"
    orphan.touch()
    os.utime(orphan, (time.time() - 120, time.time() - 120))

    spool.remove_orphans(tmp_path)

    assert not orphan.exists()


def test_a_new_file_a_writer_is_creating_right_now_is_left_alone(tmp_path: Path) -> None:
    """Between create and flock a live writer's `.new` file is unlocked and empty; a loader
    scanning at that instant must not take it for an orphan (it used to: the writer's rename
    then failed and its append was refused)."""
    creating = tmp_path / "0000000000000002-1-abcdef.new"
    creating.touch()

    spool.remove_orphans(tmp_path)

    assert creating.exists()
