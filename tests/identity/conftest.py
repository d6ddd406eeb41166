"""Identity-graph fixtures: a migrated control plane (SQLite, and PostgreSQL when configured)
with one profile, and the two-engine event store for the mirror's conformance tests."""

from __future__ import annotations

from tests.control.conftest import database, profile, workspace
from tests.store.engines import event_store

__all__ = ["database", "event_store", "profile", "workspace"]
