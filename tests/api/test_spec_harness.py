"""The spec-examples harness itself: against a stand-in server that answers every endpoint
with the response the spec documents, every example passes; the shape check catches a missing
field, a wrong type and a wrong item, and reads URL-keyed maps as maps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.api import test_spec_examples as harness
from tests.api.live import on_loopback
from tests.api.shape import mismatches
from tests.api.spec_examples import ALIASES, Example, examples

KEY = "atb_live_" + "k" * 40
ID_SEGMENT = re.compile(r"/customers/[^/]+/journey")


def _endpoint(path: str) -> str:
    return ID_SEGMENT.sub("/customers/*/journey", path.split("?")[0])


def _stand_in(found: list[Example]) -> Starlette:
    documented = {_endpoint(e.endpoint): e.documented for e in found}

    async def answer(request: Request) -> JSONResponse:
        presented = request.headers.get("authorization") or request.headers.get("authentication")
        if presented not in (f"Bearer {KEY}", KEY):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        path = _endpoint(ALIASES.get(request.url.path, request.url.path))
        body = documented.get(path)
        if body is not None and "cursor_id" in request.query_params:
            body = {**body, "pagination": {"has_next": False, "cursor": None}}  # the last page
        return JSONResponse(body, status_code=200 if body is not None else 404)

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])


@pytest.fixture(scope="module")
def stand_in() -> Iterator[harness.Target]:
    with on_loopback(_stand_in(examples())) as live:
        yield harness.Target(live, KEY)


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.id)
def test_every_example_passes_against_a_server_answering_the_documented_responses(
    example: Example, stand_in: harness.Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.test_the_spec_example_runs_unchanged_and_answers_the_documented_shape(
        example, stand_in, monkeypatch
    )


def test_the_shape_check_finds_missing_fields_wrong_types_and_accepts_extras() -> None:
    documented: dict[str, Any] = {
        "data": [{"value": "Paid Social", "visitors": 3, "tags": ["a"]}],
        "meta": {"profile_id": "uuid"},
        "pages": {"https://a.example/": 1},
        "previous": {"...": "..."},
    }
    good = {"data": [{"value": "Direct", "visitors": 1, "tags": [], "extra": 1}],
            "meta": {"profile_id": "p", "date_from": "2026-03-01"},
            "pages": {"https://b.example/": 2}, "previous": {"spend": 1}}  # fmt: skip
    assert mismatches(documented, good) == []
    bad = {"data": [{"value": 5, "tags": "a"}], "pages": {"https://b.example/": "x"},
           "previous": 1}  # fmt: skip
    assert mismatches(documented, bad) == [
        "$.meta: missing",
        "$.data[0].visitors: missing",
        "$.data[0].value: documented string, got 5",
        "$.data[0].tags: documented a list, got 'a'",
        "$.pages: documented number, got 'x'",
        "$.previous: documented an object, got 1",
    ]
