"""`kill -9` during sustained ingest loses no acknowledged event and stores none twice.

The real server (`python -m touchline serve`) runs as a subprocess on its own data directory.
Client threads post events and record every id answered `202`; the server is killed at a
random moment, restarted, and killed again, trial after trial. At the end a clean restart lets
the loader catch up, and the event store (opened here once the server is gone) must hold every
acknowledged event exactly once.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest
from tests.serving import BROWSER_UA, provision_tracking_key

from touchline.settings import Settings
from touchline.store import open_store
from touchline.store.base import Sql

pytestmark = pytest.mark.slow

TRIALS = 10
CLIENTS = 4
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Ledger:
    """What the clients sent and what the server acknowledged, across every trial."""

    acknowledged: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    port: int


def test_acknowledged_events_survive_kill_9_exactly_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url="", event_store_url="")
    key, _ = provision_tracking_key(settings)
    ledger, rng = Ledger(), random.Random(20_261_123)
    log = tmp_path / "server.log"
    for trial in range(TRIALS):
        with running_server(settings.data_dir, log) as server:
            stop = threading.Event()
            clients = [
                threading.Thread(
                    target=post_until_stopped, args=(server.port, key, f"{trial}-{n}", ledger, stop)
                )
                for n in range(CLIENTS)
            ]
            before = len(ledger.acknowledged)
            for client in clients:
                client.start()
            time.sleep(rng.uniform(0.2, 1.2))
            assert len(ledger.acknowledged) > before, f"trial {trial}: killed before any ingest"
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            stop.set()
            for client in clients:
                client.join()
    assert len(ledger.acknowledged) > 100 * TRIALS, "too little ingest to prove anything"
    with running_server(settings.data_dir, log) as server:
        wait_until_loaded(server.port)
        server.process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    counts = stored_counts(settings)
    missing = ledger.acknowledged - counts.keys()
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:5]}"
    duplicated = {event_id: n for event_id, n in counts.items() if n != 1}
    assert not duplicated, f"events stored more than once: {list(duplicated.items())[:5]}"
    assert counts.keys() <= ledger.sent


def post_until_stopped(
    port: int, key: str, prefix: str, ledger: Ledger, stop: threading.Event
) -> None:
    """Keep posting 1 to 5 events per request until the server dies or `stop` is set."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sequence = 0
    try:
        while not stop.is_set():
            ids = [f"{prefix}-{sequence + n}" for n in range(1 + sequence % 5)]
            sequence += len(ids)
            with ledger.lock:
                ledger.sent.update(ids)
            connection.request(
                "POST", "/api/tracking/collect", body=collect_body(key, ids), headers=HEADERS
            )
            response = connection.getresponse()
            response.read()
            if response.status == 202:
                with ledger.lock:
                    ledger.acknowledged.update(ids)
            else:
                raise AssertionError(f"collect answered {response.status}")
    except (OSError, http.client.HTTPException):
        return  # the server was killed under us: exactly the point
    finally:
        connection.close()


HEADERS = {"Content-Type": "application/json", "User-Agent": BROWSER_UA}


def collect_body(key: str, ids: list[str]) -> bytes:
    now = int(time.time() * 1000)
    events = [
        {
            "event_id": event_id,
            "type": "page_view",
            "anonymous_id": f"visitor-{event_id.rsplit('-', 1)[-1][-2:]}",
            "timestamp": now,
            "url": "https://shop.example/landing?utm_source=newsletter&utm_medium=email",
        }
        for event_id in ids
    ]
    return orjson.dumps({"tracking_key": key, "events": events})


@contextmanager
def running_server(data_dir: Path, log: Path) -> Iterator[Server]:
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("TOUCHLINE_")}
    env |= {
        "TOUCHLINE_DATA_DIR": str(data_dir),
        "TOUCHLINE_COLLECT_RATE_PER_SECOND": "1000000",
        "TOUCHLINE_LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "touchline", "serve", "--port", str(port)]
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    try:
        wait_until_live(process, port, log)
        yield Server(process, port)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def wait_until_live(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            status, _ = get(port, "/health/live")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"server not live within 30 s:\n{log.read_text()[-3000:]}")


def wait_until_loaded(port: int) -> None:
    """Until readiness reports a loader with nothing left to load."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, body = get(port, "/health/ready")
        if status == 200 and orjson.loads(body)["checks"]["loader"]["lag_seconds"] == 0:
            return
        time.sleep(0.1)
    raise AssertionError("the loader did not catch up within 30 s")


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def stored_counts(settings: Settings) -> dict[str, int]:
    store = open_store(settings.resolved_event_store_url)
    try:
        rows = store.query(Sql("SELECT event_id, count(*) FROM events GROUP BY event_id"))
    finally:
        store.close()
    return {str(event_id): int(count) for event_id, count in rows}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
