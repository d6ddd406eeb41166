"""Mirror the control plane's identifiers into the event plane's `identity_map`.

Pulls every identifier changed since the last mirrored version, so a change made anywhere (the
server's identity step, a CLI unmerge while the server runs) reaches the event plane on the
server's next load or tick.
"""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import func, select

from touchline.control.db import Database
from touchline.control.models.customer import CustomerIdentifier
from touchline.domain.identity import IdentifierKind, erased_visitor_key
from touchline.domain.visitors import visitor_key
from touchline.processing.versions import advance_watermark, watermark
from touchline.store.base import EventStore, Sql
from touchline.store.schema import IDENTITY_MAP, arrow_schema

CONSUMER = "identity_map"
SOURCE = "customer_identifiers"
SCHEMA = arrow_schema(IDENTITY_MAP.columns)
PAGE = 50_000  # rows per step; a step always ends on a whole version
IdentifierRow = tuple[str, str, str, str, int]  # profile, kind, value, customer, version
KEY = "profile_id || kind || ':' || value"


def drop_unfinished(since: int) -> Sql:
    """Rows above the watermark are leftovers of a step that stopped before advancing it
    (only this mirror writes `identity_map`): the step writes them again."""
    return Sql("DELETE FROM identity_map WHERE version > $since", {"since": since})


def drop_superseded(since: int) -> Sql:
    """Older rows of the identifiers this step wrote."""
    return Sql(
        f"DELETE FROM identity_map WHERE version <= $since AND {KEY} IN "
        f"(SELECT {KEY} FROM identity_map WHERE version > $since)",
        {"since": since},
    )


def sync_identity_map(*, database: Database, store: EventStore) -> int:
    """Append the changed identifiers; returns how many rows were mirrored."""
    mirrored = 0
    while True:
        since = watermark(store, CONSUMER, SOURCE)
        rows = changed_since(database, since)
        if not rows:
            return mirrored
        with store.transaction():
            store.execute(drop_unfinished(since))
            store.append(IDENTITY_MAP.name, arrow_rows(rows))
            store.execute(drop_superseded(since))
            advance_watermark(store, CONSUMER, SOURCE, max(r[4] for r in rows))
        mirrored += len(rows)


def changed_since(database: Database, since: int) -> list[IdentifierRow]:
    """The identifiers changed after `since`, oldest first: about `PAGE` rows, whole versions."""
    table = CustomerIdentifier.metadata.tables[CustomerIdentifier.__tablename__]
    with database.read() as session:
        counts = session.execute(
            select(table.c.version, func.count())
            .where(table.c.version > since)
            .group_by(table.c.version)
            .order_by(table.c.version)
        ).all()
        if not counts:
            return []
        upto, total = counts[0][0], 0
        for version, count in counts:
            if total and total + count > PAGE:
                break
            upto, total = version, total + count
        changed = session.execute(
            select(
                table.c.profile_id,
                table.c.kind,
                table.c.value,
                table.c.customer_id,
                table.c.version,
            ).where(table.c.version > since, table.c.version <= upto)
        )
        return [(str(p), str(k), str(v), str(c), int(n)) for p, k, v, c, n in changed]


def arrow_rows(rows: list[IdentifierRow]) -> pa.Table:
    anonymous = IdentifierKind.ANONYMOUS_ID.value
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    for profile_id, kind, value, customer_id, version in rows:
        columns["profile_id"].append(profile_id)
        columns["kind"].append(kind)
        columns["value"].append(value)
        key = _visitor_key(profile_id, value) if kind == anonymous else 0
        columns["visitor_key"].append(key)
        columns["customer_id"].append(customer_id)
        columns["version"].append(version)
    return pa.table(columns, schema=SCHEMA)


def _visitor_key(profile_id: str, value: str) -> int:
    """An erased visitor id keeps the key of the id it replaced (decision 0984)."""
    erased = erased_visitor_key(value)
    return visitor_key(profile_id, value) if erased is None else erased
