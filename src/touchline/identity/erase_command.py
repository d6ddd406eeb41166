"""`touchline customers erase`: the same erase as `DELETE /customer-profiles/{id}` — on the
running server's writer thread when a server holds the event store, else right here."""

from __future__ import annotations

from typing import Any, Final

from touchline.analytics.stats import call_server
from touchline.control.db import Database
from touchline.control.repos import profiles
from touchline.errors import TouchlineError, Unavailable
from touchline.identity.erase import erase
from touchline.ingest.importer import loader_busy
from touchline.settings import Settings
from touchline.store import open_store

ERASE_PATH: Final = "/internal/customers/erase"


def erase_customer(*, settings: Settings, profile_id: str, reference: str) -> dict[str, Any]:
    """Erase customer `reference` (id or `ext_<externalId>`) of the profile; what was scrubbed."""
    if loader_busy(settings.spool_dir):
        query = {"profile": profile_id, "customer": reference}
        return call_server(settings, ERASE_PATH, query, method="POST")
    database = Database.open(settings)
    try:
        database.migrate()
        with database.read() as session:
            profile = profiles.get(session, profile_id).context()
        try:
            store = open_store(settings.resolved_event_store_url)
        except TouchlineError:
            raise
        except Exception as error:  # the engine's lock: a server started meanwhile
            raise Unavailable(f"the event store is busy ({error}); retry in a moment") from None
        try:
            store.migrate()
            scrubbed = erase(database=database, store=store, profile=profile, reference=reference)
        finally:
            store.close()
    finally:
        database.close()
    return {"profile_id": profile_id, "customer": reference, "rows_scrubbed": scrubbed.tables}
