"""Connector tests: a loopback fixture server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.connectors.fixture_server import FixtureServer, fixture_server


@pytest.fixture
def provider_api() -> Iterator[FixtureServer]:
    with fixture_server() as server:
        yield server
