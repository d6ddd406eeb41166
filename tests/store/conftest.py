"""Event-plane fixtures: `event_store` runs a test on DuckDB and on chdb (see engines.py)."""

from __future__ import annotations

from tests.store.engines import event_store

__all__ = ["event_store"]
