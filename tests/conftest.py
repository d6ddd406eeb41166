"""Fixtures every test area may use: Settings for a private data directory, on SQLite and, when
`TOUCHLINE_TEST_POSTGRES_URL` is set (`make test` sets it), on PostgreSQL too."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from touchline.settings import Settings

if TYPE_CHECKING:
    from tests.serving import Served

POSTGRES_URL_VARIABLE = "TOUCHLINE_TEST_POSTGRES_URL"
# Tests may read the environment; the product reads it only through Settings.
POSTGRES_URL = os.environ.get(POSTGRES_URL_VARIABLE, "")

CONTROL_PLANES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not POSTGRES_URL,
                reason=f"{POSTGRES_URL_VARIABLE} is not set (make test starts a PostgreSQL "
                "cluster and sets it)",
            ),
        ],
    ),
]


def make_settings(data_dir: Path, *, database_url: str = "") -> Settings:
    """Everything explicit, so a developer's own TOUCHLINE_* variables cannot leak in."""
    return Settings(data_dir=data_dir, database_url=database_url, event_store_url="")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test cluster (unique per test, so xdist workers never
    share one), dropped afterwards. Yields its SQLAlchemy URL."""
    server = make_url(POSTGRES_URL)
    name = f"touchline_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A data directory of this test's own, with the SQLite control plane."""
    return make_settings(tmp_path / "data")


@pytest.fixture(params=CONTROL_PLANES)
def control_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings whose control plane is SQLite, then (second run) a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield make_settings(tmp_path / "data")
        return
    with fresh_postgres_database() as url:
        yield make_settings(tmp_path / "data", database_url=url)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """`serve(**settings)` starts the whole app (lifespan and all) on a private data
    directory and returns its test client, runtime and a tracking key; stopped after."""
    from tests.serving import serving

    started = itertools.count()
    with ExitStack() as stack:

        def start(**overrides: Any) -> Served:
            return stack.enter_context(serving(tmp_path / f"served-{next(started)}", **overrides))

        yield start
