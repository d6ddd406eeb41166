"""Small factories for identity-graph tests: identities, resolving one, reading the graph."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from touchline.control.db import Database
from touchline.control.models.customer import CustomerIdentifier, CustomerProfile
from touchline.domain.identity import Identifiers, identifiers_of
from touchline.identity.graph import Resolution, next_identifier_version, resolve_batch

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_ticks = itertools.count(1)


def ids(anonymous_id: str = "", region: str | None = None, **identity: Any) -> Identifiers:
    return identifiers_of(identity, anonymous_id=anonymous_id, region=region)


def resolve(database: Database, profile_id: str, *batch: Identifiers) -> Resolution:
    """One batch in its own transaction, at a later clock than the previous call."""
    tick = next(_ticks)
    with database.transaction() as session:
        version = next_identifier_version(session, 1_000_000 + tick)
        return resolve_batch(
            session,
            profile_id=profile_id,
            batch=list(batch),
            now=T0 + timedelta(seconds=tick),
            version=version,
        )


def owners(database: Database, profile_id: str) -> dict[tuple[str, str], str]:
    """(kind, value) → customer id of every identifier of the profile."""
    with database.read() as session:
        rows = session.execute(
            select(
                CustomerIdentifier.kind, CustomerIdentifier.value, CustomerIdentifier.customer_id
            ).where(CustomerIdentifier.profile_id == profile_id)
        )
        return {(kind, value): owner for kind, value, owner in rows}


def customer(database: Database, customer_id: str) -> CustomerProfile:
    with database.read() as session:
        row = session.get(CustomerProfile, customer_id)
        assert row is not None
        return row
