"""Mirror the control plane's identifiers into the event plane's `identity_map`.

Pulls every identifier changed since the last mirrored version, so a change made anywhere (the
server's identity step, a CLI unmerge while the server runs) reaches the event plane on the
server's next load or tick.
"""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select

from touchline.control.db import Database
from touchline.control.models.customer import CustomerIdentifier
from touchline.domain.identity import IdentifierKind
from touchline.domain.visitors import visitor_key
from touchline.processing.versions import advance_watermark, drop_superseded, watermark
from touchline.store.base import EventStore
from touchline.store.schema import IDENTITY_MAP, arrow_schema

CONSUMER = "identity_map"
SOURCE = "customer_identifiers"
SCHEMA = arrow_schema(IDENTITY_MAP.columns)
PAGE = 50_000


def sync_identity_map(*, database: Database, store: EventStore) -> int:
    """Append the changed identifiers; returns how many rows were mirrored."""
    mirrored = 0
    while True:
        since = watermark(store, CONSUMER, SOURCE)
        with database.read() as session:
            rows = session.execute(
                select(
                    CustomerIdentifier.profile_id,
                    CustomerIdentifier.kind,
                    CustomerIdentifier.value,
                    CustomerIdentifier.customer_id,
                    CustomerIdentifier.version,
                )
                .where(CustomerIdentifier.version > since)
                .order_by(CustomerIdentifier.version)
                .limit(PAGE)
            ).all()
        if not rows:
            return mirrored
        with store.transaction():
            _append(store, [tuple(r) for r in rows])
            for version in sorted({int(r[4]) for r in rows}):
                drop_superseded(
                    store, "identity_map", "profile_id || kind || ':' || value", version
                )
            advance_watermark(store, CONSUMER, SOURCE, max(int(r[4]) for r in rows))
        mirrored += len(rows)
        if len(rows) < PAGE:
            return mirrored


def _append(store: EventStore, rows: list[tuple[object, ...]]) -> None:
    anonymous = IdentifierKind.ANONYMOUS_ID.value
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    for profile_id, kind, value, customer_id, version in rows:
        columns["profile_id"].append(profile_id)
        columns["kind"].append(kind)
        columns["value"].append(value)
        key = visitor_key(str(profile_id), str(value)) if kind == anonymous else 0
        columns["visitor_key"].append(key)
        columns["customer_id"].append(customer_id)
        columns["version"].append(version)
    store.append("identity_map", pa.table(columns, schema=SCHEMA))
