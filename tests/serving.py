"""A whole Touchline app running in a test (lifespan started): the `serve` fixture's engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from touchline.app import create_app
from touchline.control.db import session_scope
from touchline.control.repos import profiles, tracking_keys, workspaces
from touchline.runtime import Runtime, runtime_of
from touchline.settings import Settings

# A browser's user agent: clients that look like crawlers (curl, python-httpx) are dropped.
BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


@dataclass(frozen=True)
class Served:
    client: TestClient
    runtime: Runtime
    tracking_key: str
    profile_id: str


def provision_tracking_key(settings: Settings) -> tuple[str, str]:
    """A workspace, a profile and its tracking key: (key, profile id)."""
    with session_scope(settings) as session:
        workspace = workspaces.create(session, name="Test Agency", actor="test")
        profile = profiles.create(
            session, workspace_id=workspace.id, name="Test Shop", actor="test"
        )
        key = tracking_keys.create(session, profile_id=profile.id, actor="test").key
    return key, profile.id


@contextmanager
def serving(data_dir: Path, **overrides: Any) -> Iterator[Served]:
    """The app for Settings(data_dir, **overrides) with a provisioned tracking key."""
    fields: dict[str, Any] = {"data_dir": data_dir, "database_url": "", "event_store_url": ""}
    settings = Settings(**(fields | overrides))
    key, profile_id = provision_tracking_key(settings)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["user-agent"] = BROWSER_UA
        runtime = runtime_of(app)
        assert runtime is not None
        yield Served(client, runtime, key, profile_id)
