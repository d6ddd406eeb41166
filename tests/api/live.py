"""A real server for the API's end-to-end tests: uvicorn on a loopback port, in a thread of the
test process, over a data directory built beforehand (tests/api/world.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

from touchline.app import create_app
from touchline.settings import Settings

STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class Live:
    """A running server's base URL (`http://127.0.0.1:PORT`)."""

    origin: str

    @property
    def api(self) -> str:
        return f"{self.origin}/api/v1"


@contextmanager
def live_server(settings: Settings) -> Iterator[Live]:
    """Serve `create_app(settings)` until the block ends (the lifespan runs: loader and all)."""
    with on_loopback(create_app(settings)) as live:
        yield live


@contextmanager
def on_loopback(app: ASGIApp) -> Iterator[Live]:
    """Any ASGI app served by uvicorn on a free loopback port until the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="auto", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        _wait_started(server)
        yield Live(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        listener.close()


def _wait_started(server: uvicorn.Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
