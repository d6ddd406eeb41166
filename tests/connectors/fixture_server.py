"""The loopback stand-in for a provider's API (touchline.demo.stub_api) answering with
recorded fixtures from tests/fixtures/<provider>/…"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from touchline.demo.stub_api import Answer, Seen, StubApi, stub_api

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FixtureServer = StubApi

__all__ = ["FIXTURES", "Answer", "FixtureServer", "Seen", "fixture_server", "recorded"]


def recorded(relative: str, status: int = 200, **headers: str) -> Answer:
    """A recorded body from tests/fixtures/<provider>/…"""
    body = (FIXTURES / relative).read_bytes()
    return Answer(status, body, {"Content-Type": "application/json", **headers})


@contextmanager
def fixture_server() -> Iterator[StubApi]:
    with stub_api() as server:
        yield server
