"""`touchline import events`: the summary, the exit status, and loading with or without a
running server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from touchline.cli.main import app, main
from touchline.control.db import session_scope
from touchline.control.repos import profiles, workspaces
from touchline.settings import Settings
from touchline.store import open_store
from touchline.store.base import Sql

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def line(n: int, **fields: Any) -> bytes:
    event = {
        "event_id": f"e-{n}",
        "type": "page_view",
        "anonymous_id": f"v-{n}",
        "timestamp": 1_700_000_000_000 + n,
        "url": f"https://shop.example/p/{n}",
        "ip": "189.209.91.20",
        "user_agent": IPHONE,
    }
    return orjson.dumps(event | fields)


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return {"TOUCHLINE_DATA_DIR": str(settings.data_dir), "TOUCHLINE_DATABASE_URL": ""}


@pytest.fixture
def profile_id(settings: Settings) -> str:
    with session_scope(settings) as session:
        workspace = workspaces.create(session, name="Agency", actor="test")
        return profiles.create(session, workspace_id=workspace.id, name="Shop", actor="test").id


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join([line(1), line(2), b"[]", line(4, type="nope"), line(5)]) + b"\n")
    return path


def count_events(settings: Settings) -> int:
    store = open_store(settings.resolved_event_store_url)
    try:
        [(count,)] = store.query(Sql("SELECT count(*) FROM events"))
        return int(count)
    finally:
        store.close()


def test_json_summary_lists_every_invalid_line_and_exits_2(
    env: dict[str, str], profile_id: str, jsonl: Path, settings: Settings
) -> None:
    result = CliRunner().invoke(
        app, ["import", "events", str(jsonl), "--profile", profile_id, "--json"], env=env
    )
    assert result.exit_code == 2, result.output
    summary = orjson.loads(result.stdout)
    assert summary["file"] == str(jsonl)
    assert summary["profile_id"] == profile_id
    assert (summary["events"], summary["imported"], summary["loaded"]) == (3, 3, 3)
    assert [bad["line"] for bad in summary["invalid"]] == [3, 4]
    assert "nope" in summary["invalid"][1]["error"]
    assert count_events(settings) == 3


def test_a_clean_file_exits_0_with_a_readable_summary(
    env: dict[str, str], profile_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "clean.jsonl"
    path.write_bytes(b"\n".join(line(n) for n in range(10)))
    result = CliRunner().invoke(
        app, ["import", "events", str(path), "--profile", profile_id], env=env
    )
    assert result.exit_code == 0, result.output
    assert "Imported 10 of 10 valid events." in result.stdout
    assert "Loaded 10 new events into the event store." in result.stdout


def test_the_human_summary_names_the_bad_lines(
    env: dict[str, str], profile_id: str, jsonl: Path
) -> None:
    result = CliRunner().invoke(
        app, ["import", "events", str(jsonl), "--profile", profile_id], env=env
    )
    assert result.exit_code == 2
    assert "Invalid lines: 2" in result.stdout
    assert "line 3:" in result.stdout and "line 4:" in result.stdout


def test_an_unknown_profile_is_a_clean_error(
    env: dict[str, str],
    jsonl: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(
        sys, "argv", ["touchline", "import", "events", str(jsonl), "--profile", "nope"]
    )
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 4
    assert "not_found" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(env: dict[str, str], profile_id: str) -> Iterator[Callable[[], None]]:
    """`touchline serve` in a subprocess on a free port; yields a function that stops it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "touchline", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until(lambda: ready(port), "the server never became ready")

    def stop() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)

    yield stop
    stop()


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], message: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def spool_drained(settings: Settings) -> bool:
    return not any(settings.spool_dir.glob("*.seg")) and not any(settings.spool_dir.glob("*.open"))


def test_while_the_server_runs_the_import_is_loaded_by_the_server(
    env: dict[str, str],
    profile_id: str,
    jsonl: Path,
    settings: Settings,
    server: Callable[[], None],
) -> None:
    result = CliRunner().invoke(
        app, ["import", "events", str(jsonl), "--profile", profile_id, "--json"], env=env
    )
    summary = orjson.loads(result.stdout)
    assert (summary["imported"], summary["loaded"]) == (3, None)
    wait_until(lambda: spool_drained(settings), "the server's loader never drained the import")
    server()
    assert count_events(settings) == 3
