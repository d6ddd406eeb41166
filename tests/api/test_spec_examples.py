"""The compatibility promise: every Python, cURL and HTTP example of the spec's API pages runs
unchanged against a real Touchline server — only the base URL and the key replaced, as a user
would — and answers 200 with the shape the page documents. One test per example; an example
whose endpoint does not exist yet fails (it is never skipped)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import httpx
import pytest
import requests
from tests.api.live import Live, live_server
from tests.api.shape import mismatches
from tests.api.spec_examples import SPEC, Example, Kind, examples
from tests.api.world import build, every_scope_key

BASE: Final = "https://www.atribu.app/api/v1"
KEY: Final = re.compile(r"atb_live_YOUR_KEY(_HERE)?|YOUR_API_KEY")
NO_CONTACTS: Final = {"message": "No contacts found for the given parameters."}
TIMEOUT: Final = 60


@dataclass(frozen=True)
class Target:
    live: Live
    key: str

    def substitute(self, code: str) -> str:
        return KEY.sub(self.key, code.replace(BASE, self.live.api))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    w = build(tmp_path_factory.mktemp("examples"))
    key = every_scope_key(w)
    with live_server(w.settings) as live:
        yield Target(live, key)


def test_the_pages_give_every_example_and_its_documented_response() -> None:
    found = examples()
    kinds = {kind: sum(e.kind == kind for e in found) for kind in Kind}
    assert kinds == {Kind.PYTHON: 28, Kind.CURL: 28, Kind.HTTP: 3}
    assert all(e.documented is not None for e in found), [e.id for e in found if not e.documented]
    assert not any("top-performers" in e.code for e in found)


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.id)
def test_the_spec_example_runs_unchanged_and_answers_the_documented_shape(
    example: Example, target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = target.substitute(example.code)
    if example.kind == Kind.PYTHON:
        answers = _python(code, monkeypatch)
    else:
        answers = _curl(code) if example.kind == Kind.CURL else _http(code, target)
    assert answers, "the example made no request"
    for status, body in answers:
        assert status == 200, f"{example.path} answered {status}: {json.dumps(body)[:300]}"
        if example.endpoint.endswith("/contacts") and body == NO_CONTACTS:
            continue  # the page's documented answer when nothing matches
        assert mismatches(example.documented, body) == [], f"{example.path}: {body!r:.300}"


def _python(code: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, Any]]:
    """Run the example as written; its answers are every response `requests` received (all
    pages of a pagination loop). A failing request is reported before the code's own error."""
    received: list[requests.Response] = []
    send = requests.Session.send

    def recording(session: requests.Session, *args: Any, **kwargs: Any) -> requests.Response:
        response = send(session, *args, **kwargs)
        received.append(response)
        return response

    monkeypatch.setattr(requests.Session, "send", recording)
    try:
        # The spec's code, unchanged; `requests` is imported already, as by the page's first
        # example (the filter and ad-level ones continue from it without importing it).
        exec(compile(code, "<spec example>", "exec"), {"requests": requests})
    except Exception:
        for response in received:
            assert response.status_code == 200, f"answered {response.status_code}: {response.text}"
        raise
    return [(response.status_code, response.json()) for response in received]


def _curl(command: str) -> list[tuple[int, Any]]:
    # `--globoff`: real curl reads `filter[channel]` as a URL pattern and refuses the URL
    # (exit 3), so the spec's filter examples need it; it changes nothing else.
    argv = shlex.split(command.replace("\\\n", " "))
    extra = ["--globoff", "--silent", "--show-error", "--write-out", "\n%{http_code}"]
    done = subprocess.run(
        [argv[0], *extra, *argv[1:]], capture_output=True, text=True, timeout=TIMEOUT, check=True
    )
    body, _, status = done.stdout.rpartition("\n")
    return [(int(status), json.loads(body))]


def _http(request: str, target: Target) -> list[tuple[int, Any]]:
    head, _, body = request.partition("\n\n")
    first, *header_lines = head.splitlines()
    method, path = first.split(" ", 1)
    headers = dict(line.split(": ", 1) for line in header_lines)
    answer = httpx.request(
        method, f"{target.live.origin}{path}", headers=headers, content=body, timeout=TIMEOUT
    )
    return [(answer.status_code, answer.json())]


def test_the_spec_is_where_the_examples_are_read_from() -> None:
    assert (SPEC / "atribu-docs.en.md").is_file()
