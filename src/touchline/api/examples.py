"""Examples in the OpenAPI document: every operation's 200 answer recorded from a real server
on the demo workspace (examples.json, written by scripts/record_api_examples.py), and an
error envelope per documented error status. tests/api/test_openapi_examples.py checks each
one against its schema (decision 0990)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final

EXAMPLES_FILE: Final = Path(__file__).with_name("examples.json")
ERROR_EXAMPLES: Final[dict[str, tuple[str, str]]] = {
    "400": ("invalid_date_range", "date_from must be on or before date_to"),
    "401": ("unauthorized", "Invalid or expired API key"),
    "403": ("insufficient_scope", "This API key lacks the customers:read scope"),
    "404": ("not_found", "Not found"),
    "429": ("rate_limit_exceeded", "Rate limit of 60 units per minute exceeded; retry in 12 s"),
    "409": ("duplicate_external_id", "externalId 'crm-1001' belongs to another customer"),
    "500": ("internal_error", "Internal server error"),
    "503": ("service_unavailable", "The server is starting or stopping; retry shortly"),
}


@cache
def recorded() -> dict[str, Any]:
    """Operation ("GET /overview") → its recorded 200 answer."""
    loaded: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text())
    return loaded


def add_examples(document: dict[str, Any]) -> None:
    """Put the recorded answers and the error envelopes into `document`, in place."""
    answers = recorded()
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json")
                if content is None:
                    continue
                if status == "200" and f"{method.upper()} {path}" in answers:
                    content["example"] = answers[f"{method.upper()} {path}"]
                elif status in ERROR_EXAMPLES:
                    content["example"] = _error(status)


def _error(status: str) -> dict[str, Any]:
    code, message = ERROR_EXAMPLES[status]
    return {"error": {"code": code, "message": message, "status": int(status),
                      "request_id": "req_5f2a9c41d07be316"}}  # fmt: skip
