"""After each load: link the identities events carry (identify calls, payments with an email)
to customer profiles, then mirror the changes to the event plane."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from touchline.control.db import Database
from touchline.domain.identity import Identifiers, identifiers_of
from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.identity.graph import Resolver, next_identifier_version
from touchline.identity.mirror import sync_identity_map
from touchline.ingest.context import ProfileContext
from touchline.processing.versions import Clock, wall_clock_us
from touchline.store.base import EventStore

log = logging.getLogger(__name__)
COLUMNS = ("profile_id", "identity", "anonymous_id", "user_id", "origin", "ts")


def link_identities(
    *,
    database: Database,
    store: EventStore,
    new_rows: pa.Table,
    profiles: Mapping[str, ProfileContext],
    clock: Clock = wall_clock_us,
) -> int:
    """Resolve every identity in the batch; returns the identifier rows written."""
    batches = identities_by_profile(new_rows, profiles)
    written = 0
    if batches:
        with database.transaction() as session:
            version = next_identifier_version(session, clock())
            now = datetime.now(UTC)
            for profile_id, batch in batches.items():
                resolver = Resolver(session, profile_id, now, version)
                resolver.preload(batch)
                for ids in batch:
                    resolver.resolve(ids)
                written += resolver.written
    sync_identity_map(database=database, store=store)
    return written


def identities_by_profile(
    new_rows: pa.Table, profiles: Mapping[str, ProfileContext]
) -> dict[str, list[Identifiers]]:
    rows = new_rows.select(list(COLUMNS))
    rows = rows.filter(pc.and_(pc.is_valid(rows["identity"]), pc.not_equal(rows["identity"], "")))
    rows = rows.sort_by([("ts", "ascending")])
    out: dict[str, list[Identifiers]] = defaultdict(list)
    for row in rows.to_pylist():
        try:
            identity = orjson.loads(row["identity"])
        except orjson.JSONDecodeError:
            log.warning("identity: skipped an event with malformed identity JSON")
            continue
        if not isinstance(identity, dict):
            continue
        browser = row["origin"] in FIRST_PARTY_ORIGINS
        profile = profiles.get(row["profile_id"])
        ids = identifiers_of(
            identity,
            anonymous_id=row["anonymous_id"] if browser else "",
            user_id=row["user_id"] or "",
            region=profile.phone_region if profile else None,
        )
        if ids:
            out[row["profile_id"]].append(ids)
    return dict(out)
