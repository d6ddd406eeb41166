"""Historical import: JSONL lines through the live pipeline into the spool, bad lines reported
by number, and the events loaded by whoever owns the event store."""

from __future__ import annotations

import fcntl
import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from touchline.control.db import session_scope
from touchline.control.repos import profiles, workspaces
from touchline.ingest import importer
from touchline.ingest.context import ProfileContext
from touchline.ingest.importer import Importer, ImportReport, InvalidLine
from touchline.ingest.loader import LOADER_LOCK, Loader
from touchline.ingest.pipeline import build_pipeline
from touchline.ingest.protocol import MAX_PAYLOAD_DEPTH, RawEvent
from touchline.ingest.spool import Spool
from touchline.settings import Settings
from touchline.store import open_store
from touchline.store.base import Sql

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
MONTERREY = "189.209.91.20"  # DB-IP City Lite: MX, Nuevo Leon, Monterrey
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def event(n: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": f"evt-{n}",
        "type": "page_view",
        "anonymous_id": f"visitor-{n % 3}",
        "timestamp": "2019-04-02T10:00:00Z",
        "url": "https://shop.example/pricing?gclid=Cj0KCQabc",
        "referrer": "https://www.google.com/",
        "ip": MONTERREY,
        "user_agent": IPHONE,
    }
    return base | fields


def write_jsonl(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    encoded = [line if isinstance(line, str) else orjson.dumps(line).decode() for line in lines]
    path.write_text("\n".join(encoded) + "\n")
    return path


@pytest.fixture
def profile(settings: Settings) -> ProfileContext:
    with session_scope(settings) as session:
        workspace = workspaces.create(session, name="Agency", actor="test")
        record = profiles.create(
            session, workspace_id=workspace.id, name="Shop", domains=["shop.example"], actor="test"
        )
    return record.context()


def stored(settings: Settings, columns: str = "event_id") -> list[tuple[Any, ...]]:
    store = open_store(settings.resolved_event_store_url)
    try:
        return store.query(Sql(f"SELECT {columns} FROM events ORDER BY event_id"))
    finally:
        store.close()


def run_file(settings: Settings, profile: ProfileContext, path: Path) -> ImportReport:
    report = importer.import_file(
        settings=settings, profile=profile, path=path, clock=NOW.timestamp
    )
    report.loaded = importer.load_if_idle(settings)
    return report


def test_events_are_enriched_with_their_own_ip_and_user_agent_and_any_past_time(
    settings: Settings, profile: ProfileContext, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "events.jsonl", [event(1), event(2, type="track", name="x")])
    report = run_file(settings, profile, path)
    assert (report.events, report.imported, report.loaded, report.invalid) == (2, 2, 2, [])
    rows = stored(settings, "event_id, origin, country, city, device, browser, channel, ts")
    assert [row[:7] for row in rows] == [
        ("evt-1", "import", "MX", "Monterrey", "mobile", "Safari", "Paid Search"),
        ("evt-2", "import", "MX", "Monterrey", "mobile", "Safari", "Paid Search"),
    ]
    assert rows[0][7] == datetime(2019, 4, 2, 10, tzinfo=UTC)


def test_invalid_lines_are_reported_by_number_and_the_rest_is_imported(
    settings: Settings, profile: ProfileContext, tmp_path: Path
) -> None:
    too_deep: dict[str, Any] = {}
    for _ in range(MAX_PAYLOAD_DEPTH + 1):
        too_deep = {"inner": too_deep}
    lines: list[dict[str, Any] | str] = [
        event(1),
        "{not json",
        {k: v for k, v in event(3).items() if k != "event_id"},
        event(4, type="teleport"),
        "",
        event(6, payload=too_deep),
        event(7, event_id="x" * 200),
        event(8),
    ]
    report = run_file(settings, profile, write_jsonl(tmp_path / "mixed.jsonl", lines))
    assert [bad.line for bad in report.invalid] == [2, 3, 4, 6, 7]
    assert "event_id" in report.invalid[1].error
    assert "payload" in report.invalid[3].error
    assert (report.events, report.imported, report.loaded) == (2, 2, 2)
    assert stored(settings) == [("evt-1",), ("evt-8",)]


def test_a_line_over_the_size_limit_is_reported_and_reading_goes_on(
    settings: Settings, profile: ProfileContext, tmp_path: Path
) -> None:
    huge = orjson.dumps(event(2, title="t" * (importer.MAX_LINE_BYTES + 10))).decode()
    path = write_jsonl(tmp_path / "huge.jsonl", [event(1), huge, event(3)])
    report = run_file(settings, profile, path)
    assert report.invalid == [InvalidLine(2, f"line longer than {importer.MAX_LINE_BYTES} bytes")]
    assert stored(settings) == [("evt-1",), ("evt-3",)]


def test_crawlers_and_future_events_are_dropped_and_counted_by_reason(
    settings: Settings, profile: ProfileContext, tmp_path: Path
) -> None:
    lines: list[dict[str, Any] | str] = [
        event(1, user_agent=GOOGLEBOT),
        event(2, timestamp=int(NOW.timestamp() * 1000) + 3_600_000),
        event(3),
    ]
    report = run_file(settings, profile, write_jsonl(tmp_path / "drops.jsonl", lines))
    assert dict(report.dropped) == {"bot": 1, "timestamp_out_of_range": 1}
    assert (report.imported, report.invalid) == (1, [])


def test_importing_the_same_file_twice_stores_each_event_once(
    settings: Settings, profile: ProfileContext, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "twice.jsonl", [event(n) for n in range(5)])
    first, second = run_file(settings, profile, path), run_file(settings, profile, path)
    assert (first.loaded, second.loaded) == (5, 0)
    assert second.imported == 5  # spooled again, then deduplicated by event id
    assert len(stored(settings)) == 5


def test_progress_accounts_for_every_byte_of_the_file(
    settings: Settings, profile: ProfileContext, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [event(n) for n in range(5_000)])
    seen: list[int] = []
    importer.import_file(settings=settings, profile=profile, path=path, on_progress=seen.append)
    assert sum(seen) == path.stat().st_size
    assert len(seen) == 3  # one report per chunk of CHUNK_EVENTS


class RecordingSpool(Spool):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory, segment_bytes=1 << 20)
        self.frames: list[bytes] = []

    def append_blocking(self, payload: bytes) -> None:
        self.frames.append(payload)
        super().append_blocking(payload)


def test_each_chunk_is_one_durable_spool_frame(settings: Settings, tmp_path: Path) -> None:
    spool = RecordingSpool(tmp_path / "spool")
    pipeline = build_pipeline(settings)
    events = [msgspec.convert(event(n), RawEvent) for n in range(7)]
    try:
        chunked = Importer(
            pipeline=pipeline, spool=spool, profile=ProfileContext("p"), chunk_events=3
        )
        report = chunked.feed(enumerate(events, 1))
    finally:
        spool.close()
        pipeline.close()
    assert [frame.count(b"\n") for frame in spool.frames] == [3, 3, 1]
    assert report.imported == 7


@pytest.fixture
def running_loader(settings: Settings) -> Iterator[None]:
    """Holds the spool's loader lock the way a running server's loader does."""
    settings.spool_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(settings.spool_dir / LOADER_LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    yield
    os.close(descriptor)


def test_while_a_server_loads_the_spool_the_import_leaves_loading_to_it(
    settings: Settings, profile: ProfileContext, tmp_path: Path, running_loader: None
) -> None:
    report = run_file(settings, profile, write_jsonl(tmp_path / "e.jsonl", [event(1)]))
    assert (report.imported, report.loaded) == (1, None)
    assert not (settings.data_dir / "events.duckdb").exists()  # the import never opened it


def test_the_probe_sees_the_lock_a_real_loader_takes(settings: Settings) -> None:
    store = open_store(settings.resolved_event_store_url)
    store.migrate()
    loader = Loader(spool_dir=settings.spool_dir, store=store, batch_events=100)
    try:
        assert not importer.loader_busy(settings.spool_dir)
        loader.drain_once()
        assert importer.loader_busy(settings.spool_dir)
    finally:
        loader.stop()
        store.close()
    assert not importer.loader_busy(settings.spool_dir)


GARBAGE = st.sampled_from([b"{", b"[]", b'{"event_id": 1}', b"\xff\xfe", b'"text"', b"null"])


@settings_(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10**6), GARBAGE), max_size=40))
def test_the_reader_numbers_every_line_and_reports_exactly_the_bad_ones(
    lines: list[int | bytes],
) -> None:
    encoded = [orjson.dumps(event(n)) if isinstance(n, int) else n for n in lines]
    report = ImportReport()
    read = list(importer.read_events(io.BytesIO(b"\n".join(encoded)), report))
    good = [number for number, item in enumerate(lines, 1) if isinstance(item, int)]
    assert [number for number, _ in read] == good
    assert [bad.line for bad in report.invalid] == sorted(set(range(1, len(lines) + 1)) - set(good))
    assert [e.event_id for _, e in read] == [f"evt-{n}" for n in lines if isinstance(n, int)]


def test_past_a_limit_bad_lines_are_counted_but_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importer, "MAX_KEPT_INVALID", 3)
    report = ImportReport()
    list(importer.read_events(io.BytesIO(b"x\n" * 10), report))
    assert report.invalid_lines == 10
    assert [bad.line for bad in report.invalid] == [1, 2, 3]
