"""API tests: a live app (lifespan started) and keys for its profile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.serving import Served, serving

from touchline.control.repos import api_keys
from touchline.domain.keys import Scope


@dataclass(frozen=True)
class Api:
    served: Served

    def key(self, *scopes: Scope, rate_limit: int = 60) -> dict[str, str]:
        """Headers with a new key of the served profile (default scopes when none given)."""
        with self.served.runtime.database.transaction() as session:
            issued = api_keys.create(
                session, profile_id=self.served.profile_id, name="test", actor="test",
                scopes=[s.value for s in scopes] or None, rate_limit_per_minute=rate_limit,
            )  # fmt: skip
        return {"Authorization": f"Bearer {issued.plaintext}"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with serving(tmp_path / "data", sync_scheduler=False) as served:
        yield Api(served)


KeyMaker = Callable[..., dict[str, str]]
