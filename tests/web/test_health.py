"""`/health/live` and `/health/ready`: each readiness check, and 503 naming the failed one."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from tests.serving import Served

Serve = Callable[..., Served]


def test_live_answers_ok(serve: Serve) -> None:
    response = serve().client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_each_check_when_all_pass(serve: Serve) -> None:
    response = serve().client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"control_plane", "event_store", "loader"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["loader"]["lag_seconds"] == 0.0


def test_ready_fails_with_503_when_the_loader_lag_reaches_the_limit(serve: Serve) -> None:
    # With a limit of zero even a caught-up loader (lag 0.0) is too slow: no timing games.
    served = serve(ready_max_loader_lag_seconds=0)
    response = served.client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["error"]["code"] == "service_unavailable"
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    assert body["error"]["message"] == "Not ready: loader"
    assert body["checks"]["loader"] == {"ok": False, "lag_seconds": 0.0, "max_lag_seconds": 0.0}
    assert body["checks"]["control_plane"]["ok"] is True
    assert body["checks"]["event_store"]["ok"] is True


def test_ready_fails_with_503_when_the_control_plane_is_down(serve: Serve) -> None:
    served = serve()
    served.runtime.loader.stop()  # its idle tick reads the control plane and would recreate it
    served.runtime.database.engine.dispose()
    control = served.runtime.settings.data_dir / "control.sqlite3"
    control.unlink()
    control.mkdir()  # SQLite cannot open a directory: every query now fails
    response = served.client.get("/health/ready")
    assert response.status_code == 503
    checks = orjson.loads(response.content)["checks"]
    assert checks["control_plane"]["ok"] is False
    assert checks["event_store"]["ok"] is True
