"""`touchline customers erase`: the same erase as `DELETE /customer-profiles/{id}` — on the
running server's writer thread when a server holds the event store, else right here."""

from __future__ import annotations

from typing import Any, Final

from touchline.analytics.stats import call_server
from touchline.control.repos import profiles
from touchline.identity.erase import erase
from touchline.ingest.importer import loader_busy
from touchline.planes import local_planes
from touchline.settings import Settings

ERASE_PATH: Final = "/internal/customers/erase"


def erase_customer(*, settings: Settings, profile_id: str, reference: str) -> dict[str, Any]:
    """Erase customer `reference` (id or `ext_<externalId>`) of the profile; what was scrubbed."""
    if loader_busy(settings.spool_dir):
        query = {"profile": profile_id, "customer": reference}
        return call_server(settings, ERASE_PATH, query, method="POST")
    with local_planes(settings) as (database, store):
        with database.read() as session:
            profile = profiles.get(session, profile_id).context()
        scrubbed = erase(database=database, store=store, profile=profile, reference=reference)
    return {"profile_id": profile_id, "customer": reference, "rows_scrubbed": scrubbed.tables}
