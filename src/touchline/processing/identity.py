"""After each load: link the identities events carry (identify calls, payments with an email)
to customer profiles, then mirror the changes to the event plane."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from touchline.control.db import Database
from touchline.domain.identity import Identifiers, identifiers_of, visitor_anonymous_id
from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.identity.graph import next_identifier_version, resolve_batch
from touchline.identity.mirror import sync_identity_map
from touchline.ingest.context import ProfileContext
from touchline.processing.conversions import json_object
from touchline.processing.versions import Clock, wall_clock_us
from touchline.store.base import EventStore

log = logging.getLogger(__name__)
COLUMNS = ("profile_id", "identity", "anonymous_id", "user_id", "origin", "ts", "payload")


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
        micros = clock()
        now = datetime.fromtimestamp(micros / 1_000_000, UTC)
        with database.transaction() as session:
            version = next_identifier_version(session, micros)
            for profile_id, batch in batches.items():
                resolution = resolve_batch(
                    session, profile_id=profile_id, batch=batch, now=now, version=version
                )
                written += resolution.written
    sync_identity_map(database=database, store=store)
    return written


def identities_by_profile(
    new_rows: pa.Table, profiles: Mapping[str, ProfileContext]
) -> dict[str, list[Identifiers]]:
    """Each profile's identities in event-time order (a later event backfills an earlier one's
    customer, never the other way round). Events of unknown profiles are skipped."""
    rows = new_rows.select(list(COLUMNS))
    rows = rows.filter(pc.and_(pc.is_valid(rows["identity"]), pc.not_equal(rows["identity"], "")))
    rows = rows.sort_by([("ts", "ascending")])
    known = _known_profiles(rows, profiles)
    out: dict[str, list[Identifiers]] = defaultdict(list)
    for row in rows.to_pylist():
        profile = known.get(row["profile_id"])
        ids = _identifiers(row, profile) if profile else None
        if ids:
            out[row["profile_id"]].append(ids)
    return dict(out)


def _known_profiles(
    rows: pa.Table, profiles: Mapping[str, ProfileContext]
) -> dict[str, ProfileContext]:
    """One look-up per profile (the server's directory reads the control plane on each)."""
    known: dict[str, ProfileContext] = {}
    for profile_id in pc.unique(rows["profile_id"]).to_pylist():
        profile = profiles.get(profile_id)
        if profile is None:
            log.warning("identity: skipped events of unknown profile %s", profile_id)
        else:
            known[profile_id] = profile
    return known


def _identifiers(row: Mapping[str, Any], profile: ProfileContext) -> Identifiers | None:
    try:
        identity = orjson.loads(row["identity"])
    except orjson.JSONDecodeError:
        log.warning("identity: skipped an event with malformed identity JSON")
        return None
    if not isinstance(identity, dict):
        return None
    # Only a browser's ids are the visitor's; a webhook's names a visitor only when bound.
    anonymous_id = visitor_anonymous_id(
        browser=row["origin"] in FIRST_PARTY_ORIGINS,
        anonymous_id=row["anonymous_id"] or "",
        payload=json_object(row["payload"]),
    )
    return identifiers_of(
        identity,
        anonymous_id=anonymous_id,
        user_id=row["user_id"] or "",
        region=profile.phone_region,
    )
