"""T1 and T2, durable collect under load at concurrency 32 on loopback, measured beside its
two peers (a bare Starlette parse-and-drop endpoint, an idiomatic FastAPI + pydantic one) in
the same run; and the Touchline server's peak RSS while it ingests and loads."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.result import Goal, Result
from touchline.control.db import session_scope
from touchline.control.repos import profiles, tracking_keys, workspaces
from touchline.settings import Settings

COVERS = ("T1", "T2", "MEM")
ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("collect.lua")
CONNECTIONS = 32
# The benchmark measures throughput, not flood control: one client address sends it all.
UNLIMITED_RATE = "1000000000"
T1_EVENTS_PER_S, T1_P99_MS = 9_000.0, 25.0
T1_VS_BARE, T1_VS_FASTAPI = 0.45, 1.6
T2_EVENTS_PER_S, T2_P99_MS = 40_000.0, 50.0
RSS_LIMIT_MIB = 1536.0


@dataclass(frozen=True, slots=True)
class Load:
    """What one load run measured."""

    requests: int
    seconds: float
    errors: int
    p99_ms: float
    events_per_request: int

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds

    @property
    def events_per_s(self) -> float:
        return self.requests_per_s * self.events_per_request


def run(quick: bool = False, large: bool = False) -> list[Result]:  # noqa: ARG001
    """T1, T2 and memory; `quick` shortens each load run. There is no large size."""
    seconds = 3.0 if quick else 10.0
    with tempfile.TemporaryDirectory(prefix="touchline-t1-") as temporary:
        scratch = Path(temporary)
        data_dir = scratch / "data"
        key = provision(Settings(data_dir=data_dir, database_url="", event_store_url=""))
        with serve_touchline(data_dir, scratch / "touchline.log") as server:
            t1 = measure(server.port, key, events=1, seconds=seconds, run="t1")
            settle(server.port)
            t2 = measure(server.port, key, events=10, seconds=seconds, run="t2")
            settle(server.port)
            peak_rss = server.peak_rss_mib()
        with serve_peer("bench.peers:bare_starlette", scratch / "bare.log") as bare:
            bare_load = measure(bare.port, key, events=1, seconds=seconds, run="bare")
        with serve_peer("bench.peers:fastapi_pydantic", scratch / "fastapi.log") as fastapi:
            fastapi_load = measure(fastapi.port, key, events=1, seconds=seconds, run="fastapi")
    return results(t1, t2, bare_load, fastapi_load, peak_rss)


def results(t1: Load, t2: Load, bare: Load, fastapi: Load, rss: float) -> list[Result]:
    at_least, at_most = Goal.AT_LEAST, Goal.AT_MOST
    return [
        Result(
            "T1 durable collect (1 ev/req)", "events/s", t1.events_per_s, T1_EVENTS_PER_S, at_least
        ),
        Result("T1 durable collect", "p99 latency ms", t1.p99_ms, T1_P99_MS, at_most),
        Result("T1 durable collect", "errors", t1.errors, 0, at_most),
        Result(
            "T1 vs bare Starlette",
            f"x of {bare.events_per_s:,.0f}/s",
            t1.events_per_s / bare.events_per_s,
            T1_VS_BARE,
            at_least,
        ),
        Result(
            "T1 vs FastAPI+pydantic",
            f"x of {fastapi.events_per_s:,.0f}/s",
            t1.events_per_s / fastapi.events_per_s,
            T1_VS_FASTAPI,
            at_least,
        ),
        Result(
            "T2 durable collect (10 ev/req)", "events/s", t2.events_per_s, T2_EVENTS_PER_S, at_least
        ),
        Result("T2 durable collect", "p99 latency ms", t2.p99_ms, T2_P99_MS, at_most),
        Result("T2 durable collect", "errors", t2.errors, 0, at_most),
        Result("Memory: server during T1-T2", "peak RSS MiB", rss, RSS_LIMIT_MIB, at_most),
    ]


def measure(port: int, key: str, *, events: int, seconds: float, run: str) -> Load:
    """A short warm-up (caches, connections), then the measured run."""
    drive(port, key, events=events, seconds=min(2.0, seconds), run=f"{run}-warm")
    return drive(port, key, events=events, seconds=seconds, run=run)


def drive(port: int, key: str, *, events: int, seconds: float, run: str) -> Load:
    """One load run by wrk (one thread, so the server keeps a core) or bench/load.py."""
    env = {**os.environ, "T1_KEY": key, "T1_EVENTS": str(events), "T1_RUN": run}
    if shutil.which("wrk"):
        command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:.0f}s", "--latency"]
        command += ["-s", str(LUA), f"http://127.0.0.1:{port}"]
    else:
        command = [sys.executable, "-m", "bench.load", "--port", str(port), "--key", key]
        command += ["--events", str(events), "--seconds", str(seconds), "--run", run]
    output = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(row for row in output.splitlines() if row.startswith("RESULT "))
    raw = orjson.loads(line.removeprefix("RESULT "))
    errors = sum(raw[name] for name in ("connect", "read", "write", "status", "timeout"))
    return Load(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        errors=errors,
        p99_ms=raw["p99_us"] / 1e3,
        events_per_request=events,
    )


def settle(port: int) -> None:
    """Wait until the loader has caught up, so the next run does not pay for this one's
    backlog (and the backlog's peak memory is part of the figure)."""
    deadline = time.monotonic() + 120
    while loader_lag(port) > 0:
        if time.monotonic() > deadline:
            raise RuntimeError("the loader did not catch up within 120 s")
        time.sleep(0.2)


def loader_lag(port: int) -> float:
    url = f"http://127.0.0.1:{port}/health/ready"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            body = answer.read()
    except urllib.error.HTTPError as refused:  # 503 once the lag passes the ready limit
        body = refused.read()
        refused.close()
    return float(orjson.loads(body)["checks"]["loader"]["lag_seconds"])


def provision(settings: Settings) -> str:
    """A workspace, profile and tracking key in a fresh data directory."""
    with session_scope(settings) as session:
        workspace = workspaces.create(session, name="Bench", actor="bench")
        profile = profiles.create(
            session, workspace_id=workspace.id, name="Bench shop", actor="bench"
        )
        return tracking_keys.create(session, profile_id=profile.id, actor="bench").key


@dataclass(frozen=True, slots=True)
class Served:
    process: subprocess.Popen[bytes]
    port: int

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0


@contextmanager
def serve_touchline(
    data_dir: Path, log: Path, extra_env: Mapping[str, str] | None = None
) -> Iterator[Served]:
    env = clean_env()
    env |= {
        "TOUCHLINE_DATA_DIR": str(data_dir),
        "TOUCHLINE_COLLECT_RATE_PER_SECOND": UNLIMITED_RATE,
        "TOUCHLINE_LOG_LEVEL": "warning",
        **(extra_env or {}),
    }
    port = free_port()
    command = [sys.executable, "-m", "touchline", "serve", "--port", str(port)]
    with running(command, env, port, log, health="/health/live") as served:
        yield served


@contextmanager
def serve_peer(app: str, log: Path) -> Iterator[Served]:
    """A peer under uvicorn with `touchline serve`'s settings: uvloop, httptools, no access
    log, no proxy headers, no server header."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--loop", "uvloop"]
    command += ["--http", "httptools", "--no-access-log", "--log-level", "warning"]
    command += ["--no-proxy-headers", "--no-server-header"]
    with running(command, clean_env(), port, log, health=None) as served:
        yield served


@contextmanager
def running(
    command: list[str], env: dict[str, str], port: int, log: Path, health: str | None
) -> Iterator[Served]:
    """The server's output goes to `log`, shown when it fails to come up."""
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    try:
        wait_until_up(process, port, health, log)
        yield Served(process, port)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(
    process: subprocess.Popen[bytes], port: int, health: str | None, log: Path
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"server exited with {process.returncode}:\n{tail}")
        try:
            if health is None:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            else:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not come up within 60 s")


def clean_env() -> dict[str, str]:
    """This process's environment without TOUCHLINE_* (a developer's own must not leak in)."""
    return {name: value for name, value in os.environ.items() if not name.startswith("TOUCHLINE_")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
