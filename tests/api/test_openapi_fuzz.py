"""Schemathesis over every operation of `/api/v1/openapi.json`, served by a real server over a
demo-like profile and called with a key holding every scope: no 5xx, and every answer is one
its operation documents (status code, content type, headers, body schema). New operations are
fuzzed as soon as they are in the document; examples per operation are bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api.live import Live, live_server
from tests.api.world import build, every_scope_key
from tests.attribution.journeys import World

from touchline.api.app import build_api
from touchline.domain.attribution.settings import Model

MAX_EXAMPLES: Final = 30  # per operation: ~40 operations stay well under a minute
CHECKS: Final = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Values that reach past parameter validation into the query layer, mixed into the generated
# ones: random strings alone would almost never make a valid date or model.
MEANINGFUL: Final[dict[str, st.SearchStrategy[Any]]] = {
    "date_from": st.sampled_from(["2026-03-01", "2026-03-20", "2026-02-04"]),
    "date_to": st.sampled_from(["2026-03-25", "2026-03-31"]),
    "model": st.sampled_from([m.value for m in Model]),
    "level": st.sampled_from(["campaign", "ad_set", "ad"]),
    "limit": st.integers(min_value=1, max_value=100),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Live]]:
    w = build(tmp_path_factory.mktemp("fuzz"))
    with live_server(w.settings) as live:
        yield w, live


# Operations are read when tests are collected, from the document the app builds (the same
# one the server answers at /api/v1/openapi.json, which the first test checks), so each
# operation is a test of its own.
DOCUMENT: Final = build_api().openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schema.hook
def before_generate_query(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, strategy.flatmap(_meaningful))


def _meaningful(query: Any) -> st.SearchStrategy[Any]:
    if not isinstance(query, dict):
        return st.just(query)
    known = {name: MEANINGFUL[name] for name in query if name in MEANINGFUL}
    return st.fixed_dictionaries(known).map(lambda values: {**query, **values})


@pytest.fixture(scope="module")
def read_key(served: tuple[World, Live]) -> str:
    return every_scope_key(served[0])


def test_the_server_answers_the_document_the_fuzzing_covers(served: tuple[World, Live]) -> None:
    answer = httpx.get(f"{served[1].api}/openapi.json")
    assert answer.status_code == 200
    assert answer.json() == DOCUMENT
    assert DOCUMENT["paths"], "no operation to fuzz"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case[Any], served: tuple[World, Live], read_key: str
) -> None:
    # A call that changes state (rotate, revoke, writes) gets a key of its own, so revoking
    # one never turns the rest of the run into 401s.
    key = read_key if case.method.upper() == "GET" else every_scope_key(served[0])
    headers = {"Authorization": f"Bearer {key}"}
    case.call_and_validate(base_url=served[1].api, headers=headers, checks=CHECKS)
