"""Every operation in the OpenAPI document carries an example of its 200 answer (recorded from
a real server by scripts/record_api_examples.py) and of each error; every example matches the
schema it illustrates, so the reference page never shows a shape the server does not send."""

from __future__ import annotations

from typing import Any

import jsonschema_rs  # schemathesis's own validator (a pinned dev dependency's)
import pytest

from touchline.api.app import build_api
from touchline.api.examples import recorded

DOCUMENT = build_api().openapi()


def responses() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json")
                if content is not None:
                    found.append((f"{method.upper()} {path}", status, content))
    return found


def test_every_operation_has_a_recorded_example_and_none_is_stale() -> None:
    operations = {f"{m.upper()} {p}" for p, ops in DOCUMENT["paths"].items() for m in ops}
    assert set(recorded()) == operations, "run scripts/record_api_examples.py"
    for operation, status, content in responses():
        assert "example" in content, (operation, status)


@pytest.mark.parametrize(("operation", "status", "content"), responses(),
                         ids=lambda v: v if isinstance(v, str) else "")  # fmt: skip
def test_each_example_matches_its_schema(operation: str, status: str, content: Any) -> None:
    schema = {**content["schema"], "components": DOCUMENT["components"]}
    validator = jsonschema_rs.Draft202012Validator(schema)
    errors = [e.message for e in validator.iter_errors(content["example"])]
    assert not errors, (operation, status, errors[:3])


def test_examples_hold_real_rows_not_empty_lists() -> None:
    # Recorded from the demo workspace: a list report shows rows.
    for operation in ("GET /campaigns", "GET /channels", "GET /customers", "GET /visitors"):
        assert recorded()[operation]["data"], operation
    assert recorded()["POST /keys/rotate"]["data"]["key"].endswith("…")  # never a real key
