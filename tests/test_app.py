"""The application shell: request ids, errors as envelopes (never a default page), the
lifespan that opens and closes the runtime, and the server token."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient
from tests.serving import Served

from touchline.app import create_app
from touchline.ingest.collect import COLLECT_PATH
from touchline.runtime import SERVER_TOKEN_FILE, runtime_of
from touchline.settings import Settings

Serve = Callable[..., Served]


def quiet_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url="", event_store_url="")


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error == {
        "code": code,
        "message": error["message"],
        "status": status,
        "request_id": response.headers["x-request-id"],
    }
    return dict(error)


def test_every_answer_carries_a_fresh_request_id(serve: Serve) -> None:
    served = serve()
    ids = {served.client.get("/health/live").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(request_id.startswith("req_") and len(request_id) == 20 for request_id in ids)


def test_unknown_paths_are_a_not_found_envelope(serve: Serve) -> None:
    served = serve()
    assert_envelope(served.client.get("/no/such/page"), 404, "not_found")


def test_wrong_methods_are_a_method_not_allowed_envelope(serve: Serve) -> None:
    served = serve()
    assert_envelope(served.client.post("/health/live"), 405, "method_not_allowed")


def test_an_unexpected_exception_is_a_500_envelope_that_leaks_nothing(tmp_path: Path) -> None:
    app = create_app(quiet_settings(tmp_path))

    async def explode() -> None:
        raise RuntimeError("secret database password in a traceback")

    app.add_api_route("/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/explode")
    error = assert_envelope(response, 500, "internal_error")
    assert "secret" not in response.text
    assert error["message"] == "Internal server error"


def test_a_bug_in_collect_is_a_500_envelope_with_cors(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = serve()

    def broken(*_: object) -> None:
        raise KeyError("internal detail")

    monkeypatch.setattr(served.runtime.pipeline, "run", broken)
    body = orjson.dumps(
        {
            "tracking_key": served.tracking_key,
            "events": [{"event_id": "e", "type": "page_view", "anonymous_id": "v", "timestamp": 1}],
        }
    )
    response = served.client.post(COLLECT_PATH, content=body, headers={"origin": "https://a.b"})
    assert_envelope(response, 500, "internal_error")
    assert "internal detail" not in response.text
    assert response.headers["access-control-allow-origin"] == "https://a.b"


def test_the_lifespan_opens_the_runtime_and_closes_it(tmp_path: Path) -> None:
    settings = quiet_settings(tmp_path)
    app = create_app(settings)
    assert runtime_of(app) is None
    with TestClient(app) as client:
        assert runtime_of(app) is not None
        assert client.get("/health/ready").status_code == 200
    assert runtime_of(app) is None
    assert (settings.data_dir / "events.duckdb").exists()
    assert (settings.data_dir / "control.sqlite3").exists()


def test_the_server_token_is_private_while_serving_and_removed_after(tmp_path: Path) -> None:
    settings = quiet_settings(tmp_path)
    token_file = settings.data_dir / SERVER_TOKEN_FILE
    app = create_app(settings)
    with TestClient(app):
        runtime = runtime_of(app)
        assert runtime is not None
        assert token_file.read_text() == runtime.token
        assert len(runtime.token) >= 32
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert not token_file.exists()


def test_each_start_writes_a_new_server_token(tmp_path: Path) -> None:
    settings = quiet_settings(tmp_path)
    tokens = []
    for _ in range(2):
        app = create_app(settings)
        with TestClient(app):
            tokens.append((settings.data_dir / SERVER_TOKEN_FILE).read_text())
    assert tokens[0] != tokens[1]
