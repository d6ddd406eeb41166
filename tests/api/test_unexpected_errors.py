"""An unexpected exception inside `/api/v1` (a bug, or an answer that fails its own response
model) is still the spec's 500 envelope with the request id, never Starlette's plain text."""

from __future__ import annotations

import logging

import pytest
from tests.api.conftest import Api

from touchline.api.schemas import ApiModel
from touchline.app import TouchlineApp


class Typed(ApiModel):
    id: str


def test_a_bug_and_an_answer_that_breaks_its_model_are_500_envelopes(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    app = api.served.client.app
    assert isinstance(app, TouchlineApp)

    def boom() -> None:
        raise RuntimeError("secret detail")

    def mistyped() -> Typed:
        return Typed.model_construct(id=1)  # type: ignore[arg-type]

    app.api.add_api_route("/test-boom", boom)
    app.api.add_api_route("/test-mistyped", mistyped, response_model=Typed)
    with caplog.at_level(logging.ERROR):
        for path in ("/api/v1/test-boom", "/api/v1/test-mistyped"):
            answer = api.served.client.get(path)
            assert answer.status_code == 500
            assert answer.headers["content-type"] == "application/json"
            error = answer.json()["error"]
            assert error["code"] == "internal_error" and error["status"] == 500
            assert error["request_id"] == answer.headers["x-request-id"]
            assert "secret" not in answer.text
    assert "unhandled error" in caplog.text  # logged once, server-side
