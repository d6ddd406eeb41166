"""`kill -9` while Stripe delivers webhooks: every webhook answered 200 is stored exactly once.

The real server (`python -m touchline serve`) runs as a subprocess; the connection is made with
the real CLI (`touchline connect stripe … --json`). Client threads post signed payments and
record each one acknowledged; the server is killed at a random moment, restarted, and killed
again. A clean restart lets the loader catch up, then the event store must hold one event per
acknowledged payment — and each payment counted once as a conversion.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest
from tests.connectors.stripe.signing import SECRET, event, signature
from tests.serving import provision_tracking_key
from tests.test_crash import ROOT, Ledger, running_server, wait_until_loaded

from touchline.connectors.events import event_id
from touchline.settings import Settings
from touchline.store import open_store
from touchline.store.base import Sql

pytestmark = pytest.mark.slow

TRIALS = 3
CLIENTS = 2
PAYMENTS = (
    "SELECT provider_ref, count(*) FROM conversions WHERE refund_of = '' GROUP BY provider_ref"
)


def test_acknowledged_stripe_webhooks_survive_kill_9_exactly_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url="", event_store_url="")
    _, profile_id = provision_tracking_key(settings)
    path = connect_with_the_cli(settings.data_dir, profile_id)
    ledger, rng = Ledger(), random.Random(20_261_124)
    log = tmp_path / "server.log"
    for trial in range(TRIALS):
        with running_server(settings.data_dir, log) as server:
            stop = threading.Event()
            clients = [
                threading.Thread(target=deliver_until_stopped,
                                 args=(server.port, path, f"{trial}x{n}", ledger, stop))
                for n in range(CLIENTS)
            ]  # fmt: skip
            before = len(ledger.acknowledged)
            for client in clients:
                client.start()
            time.sleep(rng.uniform(0.5, 1.5))
            assert len(ledger.acknowledged) > before, f"trial {trial}: killed before any webhook"
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            stop.set()
            for client in clients:
                client.join()
    with running_server(settings.data_dir, log) as server:
        wait_until_loaded(server.port)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    events, payments = stored(settings)
    expected = {event_id("stripe", ("charge", f"ch_{c}")): c for c in ledger.acknowledged}
    missing = expected.keys() - events.keys()
    assert not missing, f"{len(missing)} acknowledged webhooks lost"
    assert all(events[e] == 1 for e in expected), "a webhook stored twice"
    assert {f"pi_{c}" for c in ledger.acknowledged} <= payments.keys()
    assert all(n == 1 for n in payments.values()), "a payment counted twice"
    assert events.keys() <= {event_id("stripe", ("charge", f"ch_{c}")) for c in ledger.sent}
    assert len(ledger.acknowledged) >= 30 * TRIALS, "too few webhooks to prove anything"


def connect_with_the_cli(data_dir: Path, profile_id: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHLINE_")}
    env["TOUCHLINE_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "touchline", "connect", "stripe", "--profile", profile_id,
               "--webhook-secret", SECRET, "--json"]  # fmt: skip
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=True)
    answer = orjson.loads(done.stdout)
    assert SECRET not in done.stdout.decode()  # never echoed
    return f"/webhooks/stripe/{answer['connection_id']}"


def deliver_until_stopped(
    port: int, path: str, prefix: str, ledger: Ledger, stop: threading.Event
) -> None:
    """Post one signed payment per request until the server dies or `stop` is set."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sequence = 0
    try:
        while not stop.is_set():
            charge = f"{prefix}n{sequence}"
            sequence += 1
            raw = payment(charge)
            with ledger.lock:
                ledger.sent.add(charge)
            headers = {"Stripe-Signature": signature(raw), "Content-Type": "application/json"}
            connection.request("POST", path, body=raw, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise AssertionError(f"the webhook answered {response.status}")
            with ledger.lock:
                ledger.acknowledged.add(charge)
    except (OSError, http.client.HTTPException):
        return  # the server was killed under us: exactly the point
    finally:
        connection.close()


def payment(charge: str) -> bytes:
    body = event("charge.succeeded")
    body["id"], body["created"] = f"evt_{charge}", int(time.time())
    body["data"]["object"].update(id=f"ch_{charge}", payment_intent=f"pi_{charge}")
    return orjson.dumps(body)


def stored(settings: Settings) -> tuple[dict[str, int], dict[str, int]]:
    """(event id → rows, provider ref → payment conversions) in the event store."""
    store = open_store(settings.resolved_event_store_url)
    try:
        events = store.query(Sql("SELECT event_id, count(*) FROM events GROUP BY event_id"))
        payments = store.query(Sql(PAYMENTS))
    finally:
        store.close()
    return {str(e): int(n) for e, n in events}, {str(r): int(n) for r, n in payments}
