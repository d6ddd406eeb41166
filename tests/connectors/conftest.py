"""Connector tests: a loopback fixture server per test, a data directory with a profile
reporting in dollars (`w`; a module overrides it for another currency) and its control plane."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.attribution.journeys import World, world
from tests.connectors.fixture_server import FixtureServer, fixture_server

from touchline.control.db import Database


@pytest.fixture
def provider_api() -> Iterator[FixtureServer]:
    with fixture_server() as server:
        yield server


@pytest.fixture
def w(tmp_path: Path) -> World:
    return world(tmp_path)


@pytest.fixture
def database(w: World) -> Iterator[Database]:
    database = Database.open(w.settings)
    try:
        yield database
    finally:
        database.close()
