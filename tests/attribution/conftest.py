"""`event_store` (DuckDB and chdb) for the attribution SQL's conformance tests."""

from tests.store.engines import event_store

__all__ = ["event_store"]
