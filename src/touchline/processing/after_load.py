"""What runs after each loaded batch, in order: records (ad data, keywords, calendar) →
sessions → identities → conversions → touches → credits. Every step is idempotent, so a batch
replayed after a crash changes nothing twice."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Final

import pyarrow as pa

from touchline.control.db import Database
from touchline.identity.mirror import sync_identity_map
from touchline.ingest.context import ProfileContext
from touchline.processing.conversions import record_conversions
from touchline.processing.credits import update_credits
from touchline.processing.identity import link_identities
from touchline.processing.records import record_records
from touchline.processing.sessions import CATCH_UP_LOOKBACK, update_sessions
from touchline.processing.touches import update_touches
from touchline.processing.versions import Clock, wall_clock_us
from touchline.store.base import EventStore, Sql

log = logging.getLogger(__name__)
RECENT_EVENTS: Final = "SELECT * FROM events WHERE received_at >= $since"


def after_load_steps(
    database: Database, profiles: Mapping[str, ProfileContext], clock: Clock = wall_clock_us
) -> Callable[[EventStore, pa.Table], None]:
    """The loader's `after_load` hook."""

    def after_load(store: EventStore, new_rows: pa.Table) -> None:
        record_records(
            database=database, store=store, new_rows=new_rows, profiles=profiles, clock=clock
        )
        update_sessions(store=store, new_rows=new_rows, profiles=profiles, clock=clock)
        link_identities(
            database=database, store=store, new_rows=new_rows, profiles=profiles, clock=clock
        )
        record_conversions(
            database=database, store=store, new_rows=new_rows, profiles=profiles, clock=clock
        )
        update_touches(store=store, new_rows=new_rows, profiles=profiles, clock=clock)
        update_credits(store=store, profiles=profiles, clock=clock)

    return after_load


def upkeep(
    database: Database, profiles: Mapping[str, ProfileContext], clock: Clock = wall_clock_us
) -> Callable[[EventStore], None]:
    """The loader's idle tick: mirror identity changes made elsewhere (a CLI unmerge) and
    credit what they changed."""

    def tick(store: EventStore) -> None:
        if sync_identity_map(database=database, store=store):
            update_credits(store=store, profiles=profiles, clock=clock)

    return tick


def catch_up(
    *,
    database: Database,
    store: EventStore,
    profiles: Mapping[str, ProfileContext],
    lookback: timedelta = CATCH_UP_LOOKBACK,
    clock: Clock = wall_clock_us,
) -> int:
    """For server start: a kill between a batch's commit and its after-load steps left that
    batch without sessions, identities, conversions, touches and credits — an acknowledged
    payment with no revenue. Run every step again over the events received in the `lookback`
    before the newest one (each step is idempotent). Returns the events gone over."""
    [(newest,)] = store.query(Sql("SELECT max(received_at) FROM events"))
    if newest is None:
        return 0
    recent = store.query_arrow(Sql(RECENT_EVENTS, {"since": newest - lookback}))
    if recent.num_rows:
        after_load_steps(database, profiles, clock)(store, recent)
    return int(recent.num_rows)
