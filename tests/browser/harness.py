"""What the browser tests run against: a real Touchline server on loopback (its app in a uvicorn
thread of this process, so the test can read the event store it owns), a recorder of every
collect request, and a small test site on a second origin that pastes the tracking snippet.
"""

from __future__ import annotations

import io
import json
import math
import socket
import struct
import threading
import time
import urllib.error
import urllib.request
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import Page
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tests.serving import provision_tracking_key

from touchline.app import create_app
from touchline.ingest.collect import COLLECT_PATH
from touchline.runtime import Runtime, runtime_of
from touchline.settings import Settings
from touchline.store.base import Sql
from touchline.web.shopify_pixel import custom_pixel_code
from touchline.web.snippet import tracking_snippet
from touchline.web.tracker_bundle import SOURCE_DIR

SITE_DIR = Path(__file__).parent / "site"
WAIT_SECONDS = 15.0
# Globals the snippet itself sets: a site changes them by editing the pasted line.
SNIPPET_LINES = ("INTERCEPT_FBQ", "META_BRIDGE_PAGEVIEW")


def wait_until(check: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def show_tab(page: Page, state: str) -> None:
    """Hide or show the tab as the browser tells a page (headless Chromium keeps every tab
    visible): `document.visibilityState`, then `visibilitychange`."""
    page.evaluate(
        """state => {
          Object.defineProperty(document, 'visibilityState', {value: state, configurable: true});
          document.dispatchEvent(new Event('visibilitychange', {bubbles: true}));
        }""",
        state,
    )


@dataclass
class CollectRecorder:
    """ASGI middleware: keeps each collect request's body and the status it was answered, and
    the host it was sent to (its Host header)."""

    app: ASGIApp
    requests: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != COLLECT_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                with self.lock:
                    self.requests.append((json.loads(body), message["status"]))
                    self.hosts.append(dict(scope["headers"]).get(b"host", b"").decode())
            await send(message)

        await self.app(scope, replay, record)

    def deliveries(self, **match: Any) -> list[dict[str, Any]]:
        """Events of accepted requests whose fields equal `match`, in arrival order, one per
        delivery: an event sent twice is here twice."""
        with self.lock:
            accepted = [body for body, status in self.requests if status == 202]
        found = [event for body in accepted for event in body["events"]]
        return [e for e in found if all(e.get(k) == v for k, v in match.items())]

    def events(self, **match: Any) -> list[dict[str, Any]]:
        """The distinct events among `deliveries(**match)`, in the order they first arrived.
        The tracker delivers at least once: a batch still in flight when the page goes stays
        stored, and the next page sends it again; the server stores each `event_id` once
        (docs/decisions/0904)."""
        distinct: dict[object, dict[str, Any]] = {}
        for event in self.deliveries(**match):
            distinct.setdefault(event.get("event_id") or id(event), event)
        return list(distinct.values())

    def quiet(self, seconds: float = 0.5) -> None:
        """Wait until no collect request has arrived for `seconds` (a page's last beacons)."""
        seen, since = -1, time.monotonic()
        deadline = since + WAIT_SECONDS
        while time.monotonic() < deadline:
            with self.lock:
                count = len(self.requests)
            if count != seen:
                seen, since = count, time.monotonic()
            elif time.monotonic() - since >= seconds:
                return
            time.sleep(0.05)
        raise AssertionError("collect requests never stopped arriving")

    def wait_for(self, count: int = 1, **match: Any) -> list[dict[str, Any]]:
        what = f"{count} collected event(s) with {match}"
        return list(
            wait_until(lambda: len(self.events(**match)) >= count and self.events(**match), what)
        )


@dataclass
class Touchline:
    """The running server: its origin, tracking key, profile, runtime and collect recorder."""

    origin: str
    tracking_key: str
    profile_id: str
    runtime: Runtime
    recorder: CollectRecorder

    def settle(self) -> None:
        """Load everything acknowledged so far, after-load steps (sessions, identity) included.
        Waits for the page's last beacons, then for the loader thread to finish the batch it
        may be in (a job runs between batches), then drains what is left here."""
        self.recorder.quiet(0.3)
        self.runtime.loader.submit(lambda store: None).result(timeout=WAIT_SECONDS)
        self.runtime.loader.drain()

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return self.runtime.store.query(Sql(sql, params))


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def running_touchline(data_dir: Path) -> Iterator[Touchline]:
    settings = Settings(data_dir=data_dir, database_url="", event_store_url="")
    key, profile_id = provision_tracking_key(settings)
    app = create_app(settings)
    recorder = CollectRecorder(app)
    sock = free_socket()
    config = uvicorn.Config(recorder, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, "the Touchline server to start", timeout=60)
        runtime = runtime_of(app)
        assert runtime is not None
        origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
        yield Touchline(origin, key, profile_id, runtime, recorder)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def wav_clip(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short tone as WAV: media the <video> element plays in any Chromium build, made here
    rather than shipped as a binary fixture."""
    out = io.BytesIO()
    with wave.open(out, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(rate)
        samples = (
            int(8000 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(int(seconds * rate))
        )
        clip.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return out.getvalue()


@dataclass
class Site:
    """The customer's site: pages from tests/browser/site with the snippet pasted in (its
    `globals` added, or edited in place for the snippet's own lines), a test's own `pages`
    (rendered on each request), and its own origin's /api/tracking/collect proxied to
    Touchline (`proxied`: the answers' statuses)."""

    origin: str
    touchline: Touchline
    globals: dict[str, object] = field(default_factory=dict)
    pages: dict[str, Callable[[], str]] = field(default_factory=dict)
    submissions: list[bytes] = field(default_factory=list)
    proxied: list[int] = field(default_factory=list)

    def url(self, page: str) -> str:
        return f"{self.origin}/{page}"

    def render(self, name: str) -> bytes:
        text = (SITE_DIR / name).read_text(encoding="utf-8")
        snippet = tracking_snippet(
            tracking_key=self.touchline.tracking_key,
            base_url=self.touchline.origin,
            extra={k: v for k, v in self.globals.items() if k not in SNIPPET_LINES},
        )
        for key, setting in self.globals.items():
            if key in SNIPPET_LINES:
                line = f"window.ATRIBU_{key} = "
                start = snippet.index(line) + len(line)
                end = snippet.index(";", start)
                snippet = snippet[:start] + json.dumps(setting) + snippet[end:]
        replacements = {
            "{{SNIPPET}}": snippet,
            "{{TOUCHLINE}}": self.touchline.origin,
            "{{KEY}}": self.touchline.tracking_key,
            "{{ELSEWHERE}}": self.origin.replace("127.0.0.1", "localhost"),
        }
        if "{{SHOPIFY_PIXEL}}" in text:
            replacements["{{SHOPIFY_PIXEL}}"] = custom_pixel_code(
                tracking_key=self.touchline.tracking_key, base_url=self.touchline.origin
            )
        for mark, value in replacements.items():
            text = text.replace(mark, value)
        return text.encode()


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def answer(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/") or "index.html"
            if path == "clip.wav":
                self.answer(wav_clip(), "audio/wav")
            elif path.startswith("tracker-src/") and (SOURCE_DIR / path[12:]).is_file():
                self.answer((SOURCE_DIR / path[12:]).read_bytes(), "text/javascript")
            elif path.startswith("files/"):
                self.answer(b"%PDF-1.4\n%%EOF\n", "application/pdf")
            elif path in site.pages:
                self.answer(site.pages[path]().encode(), "text/html; charset=utf-8")
            elif (SITE_DIR / path).is_file():
                kind = "text/javascript" if path.endswith(".js") else "text/html; charset=utf-8"
                self.answer(site.render(path), kind)
            else:
                self.answer(b"not found", "text/plain", 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if self.path.split("?", 1)[0] == COLLECT_PATH:
                self.proxy(body)
                return
            site.submissions.append(body)
            self.answer(b'{"ok": true}', "application/json")

        def proxy(self, body: bytes) -> None:
            """A site that serves collect on its own origin, passing requests to Touchline."""
            forwarded = urllib.request.Request(
                site.touchline.origin + COLLECT_PATH,
                data=body,
                method="POST",
                headers={
                    "Content-Type": self.headers.get("Content-Type", "text/plain"),
                    "User-Agent": self.headers.get("User-Agent", ""),
                },
            )
            try:
                with urllib.request.urlopen(forwarded, timeout=WAIT_SECONDS) as answer:
                    status, reply = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                status, reply = error.code, error.read()
            site.proxied.append(status)
            self.answer(reply, "application/json", status)

    return Handler


@contextmanager
def serving_site(touchline: Touchline) -> Iterator[Site]:
    site = Site(origin="", touchline=touchline)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
