"""Where `touchline stats` gets its numbers: the store directly, or the running server's
`/internal/stats` (token-authorized) while the server's loader holds the spool."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from touchline.analytics.stats import (
    STATS_PATH,
    ask_server,
    check_token,
    error_of,
    fetch_traffic_stats,
    server_url,
)
from touchline.errors import InvalidDateRange, NotFound, TouchlineError, Unauthorized, Unavailable
from touchline.ingest.loader import LOADER_LOCK
from touchline.runtime import SERVER_TOKEN_FILE, SERVER_URL_FILE, loopback_url
from touchline.settings import Settings

TOKEN = "s3cret-token"


class FakeServer(BaseHTTPRequestHandler):
    """Answers like the real route: records what it was asked."""

    requests: ClassVar[list[tuple[str, str]]] = []
    status: ClassVar[int] = 200
    body: ClassVar[dict[str, Any]] = {"summary": {"visits": 7}}

    def do_GET(self) -> None:
        FakeServer.requests.append((self.path, self.headers.get("Authorization", "")))
        payload = json.dumps(FakeServer.body).encode()
        self.send_response(FakeServer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def server() -> Iterator[int]:
    FakeServer.requests, FakeServer.status = [], 200
    FakeServer.body = {"summary": {"visits": 7}}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def running(tmp_path: Path, server: int) -> Iterator[Settings]:
    """A data directory whose "server" holds the loader lock and wrote its token."""
    settings = Settings(data_dir=tmp_path / "data", port=server, event_store_url="")
    settings.ensure_data_dir()
    (settings.data_dir / SERVER_TOKEN_FILE).write_text(TOKEN)
    lock = os.open(settings.spool_dir / LOADER_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        yield settings
    finally:
        os.close(lock)


def test_with_a_server_running_the_cli_asks_it_with_the_token(running: Settings) -> None:
    answer = fetch_traffic_stats(
        settings=running, profile_id="prof_1", date_from="2026-03-01", date_to="2026-03-31"
    )

    assert answer == {"summary": {"visits": 7}}
    [(path, authorization)] = FakeServer.requests
    assert path == f"{STATS_PATH}?profile=prof_1&from=2026-03-01&to=2026-03-31"
    assert authorization == f"Bearer {TOKEN}"


def test_the_servers_error_envelope_becomes_the_same_error(running: Settings) -> None:
    FakeServer.status = 404
    FakeServer.body = {"error": {"code": "not_found", "message": "profile x not found"}}

    with pytest.raises(NotFound, match="profile x not found"):
        ask_server(running, profile_id="x", date_from="2026-03-01", date_to="2026-03-01")


def test_a_server_that_does_not_answer_is_unavailable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port=1)
    (tmp_path / SERVER_TOKEN_FILE).write_text(TOKEN)

    with pytest.raises(Unavailable, match="did not answer"):
        ask_server(settings, profile_id="p", date_from="2026-03-01", date_to="2026-03-01")


def test_without_a_server_the_cli_reads_the_store_itself(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", event_store_url="")
    settings.ensure_data_dir()

    with pytest.raises(NotFound, match="prof_missing"):
        fetch_traffic_stats(
            settings=settings,
            profile_id="prof_missing",
            date_from="2026-03-01",
            date_to="2026-03-02",
        )


def test_only_the_server_token_opens_the_internal_endpoint() -> None:
    check_token(f"Bearer {TOKEN}", TOKEN)
    check_token(f"bearer {TOKEN}", TOKEN)
    for presented in ("", TOKEN, "Bearer wrong", f"Basic {TOKEN}"):
        with pytest.raises(Unauthorized):
            check_token(presented, TOKEN)


def test_error_bodies_map_to_error_classes() -> None:
    envelope = {"error": {"code": "invalid_date_range", "message": "from after to"}}
    assert isinstance(error_of(400, json.dumps(envelope).encode()), InvalidDateRange)
    unknown = error_of(502, b"<html>bad gateway</html>")
    assert type(unknown) is TouchlineError
    assert "502" in unknown.message


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://127.0.0.1:8000"),
        ("::1", "http://[::1]:8000"),
        ("10.0.0.5", "http://10.0.0.5:8000"),
    ],
)
def test_the_server_is_reached_where_the_settings_bind_it(host: str, url: str) -> None:
    assert loopback_url(Settings(host=host, port=8000)) == url


def test_a_server_started_on_another_port_is_found_through_the_url_it_recorded(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, port=8000)
    assert server_url(settings) == "http://127.0.0.1:8000"
    (tmp_path / SERVER_URL_FILE).write_text("http://127.0.0.1:9123\n")
    assert server_url(settings) == "http://127.0.0.1:9123"
