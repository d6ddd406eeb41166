"""Materialized server-side sessions: the rule of domain/sessions.py run in SQL after each load,
with each session's engagement signals and score (domain/engagement.py).

`update_sessions` recomputes only the visitors a batch touched, from the session that was open
before their earliest new event; `recompute_sessions` redoes a whole profile. Both write rows
with a higher version, then delete the rows those supersede, sessions that no longer exist
included (a late event can merge two). See docs/decisions/0401.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from touchline.domain.sessions import FIRST_PARTY_ORIGINS, SessionRule
from touchline.ingest.context import ProfileContext, SessionMode
from touchline.processing import session_queries as queries
from touchline.store.base import EventStore, Sql

SCOPE_HEAD: Final = pa.schema(
    [
        ("profile_id", pa.string()),
        ("visitor_key", pa.uint64()),
        ("first_ts", pa.timestamp("us", tz="UTC")),
    ]
)

CATCH_UP_LOOKBACK: Final = timedelta(hours=1)

Clock = Callable[[], int]
"""Wall-clock epoch microseconds; versions come from it (tests pass a fixed one)."""


def wall_clock_us() -> int:
    return time.time_ns() // 1000


def session_rule(profile: ProfileContext) -> SessionRule:
    split = profile.session_mode is SessionMode.INACTIVITY_OR_SOURCE_CHANGE
    return SessionRule(timeout_minutes=profile.session_timeout_minutes, split_on_source=split)


def update_sessions(
    *,
    store: EventStore,
    new_rows: pa.Table,
    profiles: Mapping[str, ProfileContext],
    clock: Clock = wall_clock_us,
) -> int:
    """Recompute the sessions of the visitors in `new_rows` (just-loaded enriched events).

    Returns how many session rows were written. A profile missing
    from `profiles` gets the default rule (30 minutes, inactivity only).
    """
    firsts = first_new_event_per_visitor(new_rows)
    if firsts.num_rows == 0:
        return 0
    with store.transaction():
        version = next_version(store, clock)
        for profile_id in sorted(pc.unique(firsts.column("profile_id")).to_pylist()):
            profile = profiles.get(profile_id) or ProfileContext(profile_id=profile_id)
            mine = firsts.filter(pc.equal(firsts.column("profile_id"), profile_id))
            _update_profile(store, mine, session_rule(profile), version)
        return _rows_of_version(store, version)


def recompute_sessions(
    *, store: EventStore, profile: ProfileContext, clock: Clock = wall_clock_us
) -> int:
    """Rebuild every session of a profile from its events; returns the session rows written."""
    rule = session_rule(profile)
    with store.transaction():
        version = next_version(store, clock)
        params = _params(profile.profile_id, rule, version)
        for statement in _statements(rule, scoped=False):
            store.execute(_sql(statement, params))
        return _rows_of_version(store, version)


def catch_up_sessions(
    *,
    store: EventStore,
    profiles: Mapping[str, ProfileContext],
    lookback: timedelta = CATCH_UP_LOOKBACK,
    clock: Clock = wall_clock_us,
) -> int:
    """Re-sessionize the visitors of the events received in the `lookback` before the newest
    one. For server start: a crash between a batch's commit and its `after_load` left that
    batch's visitors unsessionized; updating them again is harmless (idempotent)."""
    [(newest,)] = store.query(Sql("SELECT max(received_at) FROM events"))
    if newest is None:
        return 0
    sql = Sql(queries.RECENT_EVENTS, {"since": newest - lookback})
    recent = store.query_arrow(sql)
    return update_sessions(store=store, new_rows=recent, profiles=profiles, clock=clock)


def sessions_after_load(
    profiles: Mapping[str, ProfileContext], clock: Clock = wall_clock_us
) -> Callable[[EventStore, pa.Table], None]:
    """The loader's `after_load` hook: keeps sessions current after each committed batch."""

    def after_load(store: EventStore, new_rows: pa.Table) -> None:
        update_sessions(store=store, new_rows=new_rows, profiles=profiles, clock=clock)

    return after_load


def first_new_event_per_visitor(new_rows: pa.Table) -> pa.Table:
    """(profile_id, visitor_key, first_ts) of each visitor with first-party events in the batch."""
    origins = pa.array(sorted(FIRST_PARTY_ORIGINS))
    rows = new_rows.select(["profile_id", "visitor_key", "ts", "origin"])
    rows = rows.filter(pc.is_in(rows.column("origin"), value_set=origins))
    parts = []
    # Grouping per profile on the integer key alone is several times faster than on both.
    for profile_id in pc.unique(rows.column("profile_id")).to_pylist():
        mine = rows.filter(pc.equal(rows.column("profile_id"), profile_id))
        firsts = mine.group_by("visitor_key").aggregate([("ts", "min")])
        profile = pa.array([profile_id] * firsts.num_rows, pa.string())
        parts.append(pa.table([profile, firsts["visitor_key"], firsts["ts_min"]], SCOPE_HEAD))
    return pa.concat_tables(parts) if parts else SCOPE_HEAD.empty_table()


def next_version(store: EventStore, clock: Clock) -> int:
    """A version above every stored one, even if the wall clock stepped back."""
    [(highest,)] = store.query(Sql("SELECT coalesce(max(version), 0) FROM sessions"))
    return max(clock(), int(highest) + 1)


def _update_profile(store: EventStore, firsts: pa.Table, rule: SessionRule, version: int) -> None:
    profile_id = firsts.column("profile_id")[0].as_py()
    params = _params(profile_id, rule, version)
    _replace_scope(store, firsts.append_column("from_ts", firsts.column("first_ts")))
    scope = store.query_arrow(_sql(queries.SCOPE, params))
    # No stored session before the new events (passive runs are stored too): the visitor has
    # no earlier first-party event, so the recompute starts at the first new one.
    from_ts = pc.coalesce(scope.column("from_ts"), scope.column("first_ts"))
    _replace_scope(store, scope.set_column(3, "from_ts", from_ts))
    # The earliest recompute start lets the engine skip older events by their time order.
    scoped = {**params, "floor": pc.min(from_ts).as_py()}
    for statement in _statements(rule, scoped=True):
        store.execute(_sql(statement, scoped))
    store.execute(Sql(f"TRUNCATE TABLE {queries.SCOPE_TABLE}"))


def _statements(rule: SessionRule, *, scoped: bool) -> tuple[str, ...]:
    """Write the sessions at the new version, then their pages; delete what both replaced."""
    return (
        queries.insert_sessions(rule, scoped=scoped),
        queries.delete_superseded(scoped=scoped),
        queries.insert_pages(scoped=scoped),
        queries.delete_superseded(scoped=scoped, table=queries.PAGES_TABLE),
    )


def _replace_scope(store: EventStore, scope: pa.Table) -> None:
    store.execute(Sql(f"TRUNCATE TABLE {queries.SCOPE_TABLE}"))
    store.append(queries.SCOPE_TABLE, scope)


def _sql(text: str, params: Mapping[str, object]) -> Sql:
    """Bind only the parameters the statement names (engines refuse extra ones)."""
    return Sql(text, {k: v for k, v in params.items() if f"${k}" in text})


def _params(profile_id: str, rule: SessionRule, version: int) -> dict[str, object]:
    return {"profile": profile_id, "timeout_us": rule.timeout_us, "version": version}


def _rows_of_version(store: EventStore, version: int) -> int:
    sql = Sql("SELECT count(*) FROM sessions WHERE version = $version", {"version": version})
    [(count,)] = store.query(sql)
    return int(count)
