"""Report tests run on both engines (tests/store/engines.py's `event_store`)."""

from __future__ import annotations

from tests.store.engines import event_store

__all__ = ["event_store"]
