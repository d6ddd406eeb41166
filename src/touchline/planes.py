"""Both storage planes opened in this process, for CLI verbs that work here when no server
holds the event store (`stats`, `recompute`, `customers erase`); each first asks the running
server when there is one (`ingest.importer.loader_busy`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from touchline.control.db import Database
from touchline.errors import TouchlineError, Unavailable
from touchline.settings import Settings
from touchline.store import open_store
from touchline.store.base import EventStore


@contextmanager
def local_planes(settings: Settings) -> Iterator[tuple[Database, EventStore]]:
    """The control plane and the event store, both migrated; closed after the block. A store
    another process took meanwhile (a server started) is `Unavailable`, not a crash."""
    database = Database.open(settings)
    try:
        database.migrate()
        try:
            store = open_store(settings.resolved_event_store_url)
        except TouchlineError:
            raise
        except Exception as error:  # the engine's own lock error: a server started meanwhile
            raise Unavailable(f"the event store is busy ({error}); retry in a moment") from None
        try:
            store.migrate()
            yield database, store
        finally:
            store.close()
    finally:
        database.close()
