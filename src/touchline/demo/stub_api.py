"""A provider's API stood in for on loopback: each route (method, path) holds a queue of
answers served in order (the last one repeats), and every request is logged so a caller can
check what a client sent. The demo serves its generated MercadoPago payments and CRM records
with it; the connector tests serve recorded fixtures (tests/connectors/fixture_server.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200, **headers: str) -> Answer:
        return cls(status, orjson.dumps(value), {"Content-Type": "application/json", **headers})


@dataclass(frozen=True)
class Seen:
    """One request the stub received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


class StubApi:
    """The server; `start()` it, `route()` answers, read `requests`, `stop()` it."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Answer]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"

    def route(self, method: str, path: str, *answers: Answer) -> None:
        with self._lock:
            self.routes[(method.upper(), path)] = list(answers)

    def answer(self, method: str, path: str) -> Answer:
        with self._lock:
            queue = self.routes.get((method, path))
            if not queue:
                return Answer.json({"message": f"no route for {method} {path}", "status": 404},
                                   404)  # fmt: skip
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def start(self) -> None:
        threading.Thread(target=self._http.serve_forever, name="stub-api", daemon=True).start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, parts.path, parse_qs(parts.query),
                            {k.lower(): v for k, v in self.headers.items()}, body)  # fmt: skip
                with stub._lock:
                    stub.requests.append(seen)
                answer = stub.answer(self.command, parts.path)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *_: Any) -> None:
                return

        return Handler


@contextmanager
def stub_api(routes: Mapping[str, Any] | None = None) -> Iterator[StubApi]:
    """A started stub answering `GET path` with each JSON body of `routes`; stopped after."""
    stub = StubApi()
    for path, body in (routes or {}).items():
        stub.route("GET", path, Answer.json(body))
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()
