"""`GET /health/live` (the process answers) and `GET /health/ready` (it can do its job:
both planes answer a query and the loader keeps up)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from touchline.errors import Unavailable, envelope, new_request_id
from touchline.runtime import Runtime, runtime_of

router = APIRouter(include_in_schema=False)

# A plane that takes longer than this to answer `SELECT 1` counts as down.
CHECK_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    facts: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, **self.facts}


@router.get("/health/live")
async def live() -> Response:
    return _json({"status": "ok"}, 200)


@router.get("/health/ready")
async def ready(request: Request) -> Response:
    runtime = runtime_of(request.app)
    if runtime is None:
        checks = [Check("runtime", ok=False, facts={"error": "starting or stopped"})]
    else:
        checks = await readiness(runtime)
    report = {check.name: check.as_json() for check in checks}
    failed = [check.name for check in checks if not check.ok]
    if not failed:
        return _json({"status": "ready", "checks": report}, 200)
    request_id = getattr(request.state, "request_id", "") or new_request_id()
    error = Unavailable(f"Not ready: {', '.join(failed)}")
    return _json({**envelope(error, request_id), "status": "unavailable", "checks": report}, 503)


async def readiness(runtime: Runtime) -> list[Check]:
    """Every readiness check, each bounded by CHECK_TIMEOUT_SECONDS."""
    return [
        await _probe("control_plane", runtime.ping_control_plane),
        await _probe("event_store", runtime.ping_event_store),
        await _loader_check(runtime),
    ]


async def _probe(name: str, ping: Callable[[], None]) -> Check:
    started = time.perf_counter()
    try:
        with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
            await anyio.to_thread.run_sync(ping, abandon_on_cancel=True)
    except TimeoutError:
        return Check(name, ok=False, facts={"error": f"no answer in {CHECK_TIMEOUT_SECONDS} s"})
    except Exception as error:  # any failure of the plane is the answer, not a crash
        return Check(name, ok=False, facts={"error": type(error).__name__})
    return Check(name, ok=True, facts={"ms": round((time.perf_counter() - started) * 1e3, 2)})


async def _loader_check(runtime: Runtime) -> Check:
    limit = runtime.settings.ready_max_loader_lag_seconds
    lag = await anyio.to_thread.run_sync(runtime.loader_lag_seconds)
    facts: dict[str, Any] = {"lag_seconds": round(lag, 3), "max_lag_seconds": limit}
    return Check("loader", ok=lag < limit, facts=facts)


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")
