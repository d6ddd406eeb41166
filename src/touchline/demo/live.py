"""Touchline run for a moment on loopback, so the demo's webhooks travel real HTTP, signature
checks and the spool (the providers' APIs are stood in for by demo/stub_api.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from touchline.app import create_app
from touchline.errors import Unavailable
from touchline.ingest.importer import loader_busy
from touchline.runtime import SERVER_URL_FILE, Runtime, runtime_of
from touchline.settings import Settings

START_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class LiveServer:
    url: str
    runtime: Runtime | None  # None: a server of another process (it loads on its own)

    def wait_until_loaded(self, timeout_seconds: float = 300.0) -> None:
        """Return once the loader has taken everything spooled so far (and processed it)."""
        if self.runtime is None:
            return
        deadline = time.monotonic() + timeout_seconds
        while self.runtime.loader.pending_bytes() > 0:
            if time.monotonic() > deadline:
                raise Unavailable("the demo server's loader did not catch up in time")
            time.sleep(0.2)


@contextmanager
def reachable_server(settings: Settings) -> Iterator[LiveServer]:
    """The server already running on this data directory, or one started for the block."""
    if loader_busy(settings.spool_dir):
        yield LiveServer((settings.data_dir / SERVER_URL_FILE).read_text().strip(), None)
        return
    with touchline_server(settings) as server:
        yield server


@contextmanager
def touchline_server(settings: Settings) -> Iterator[LiveServer]:
    """Touchline on 127.0.0.1 and a free port, in a thread, for the duration of the block."""
    app = create_app(settings.model_copy(update={"sync_scheduler": False}))
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="demo-server", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise Unavailable("the demo server did not start")
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        runtime = runtime_of(app)
        assert runtime is not None
        yield LiveServer(f"http://127.0.0.1:{port}", runtime)
    finally:
        server.should_exit = True
        thread.join(timeout=60)
