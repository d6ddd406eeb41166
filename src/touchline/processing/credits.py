"""Materialized attribution credits: every model for every eligible conversion, set-based in
SQL, recomputed incrementally for the persons whose journeys changed (docs/attribution-engine.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from touchline.domain.conversions import conversion_key
from touchline.ingest.context import ProfileContext
from touchline.processing import credit_queries as q
from touchline.processing.channel_weights import fit_channel_weights, weights_stale
from touchline.processing.credit_rows import CreditRun, write_credits
from touchline.processing.versions import (
    Clock,
    advance_watermark,
    next_version,
    wall_clock_us,
    watermark,
)
from touchline.store.base import EventStore, Sql

log = logging.getLogger(__name__)
CONSUMER = "credits"
SOURCES = ("sessions", "touch_rows", "conversions", "identity_map")
Progress = Callable[[str], None]


def update_credits(
    *, store: EventStore, profiles: Mapping[str, ProfileContext], clock: Clock = wall_clock_us
) -> int:
    """Recompute the credits of every conversion whose person's journey changed since the last
    update, for every profile with changes. Returns the credit rows written."""
    written = 0
    for profile_id in _profiles_with_changes(store):
        profile = profiles.get(profile_id) or ProfileContext(profile_id=profile_id)
        try:
            written += _update_profile(store, profile, clock).rows
        except Exception:
            log.exception("credits: update of profile %s failed; retried next batch", profile_id)
    return written


def recompute_credits(
    *,
    store: EventStore,
    profile: ProfileContext,
    clock: Clock = wall_clock_us,
    progress: Progress | None = None,
    refit: bool = True,
) -> CreditRun:
    """Rebuild every credit of a profile (after a window or weight change), refitting the
    data-driven models first unless `refit` is false."""
    say = progress or (lambda _step: None)
    params = statement_params(profile)
    marks = _current_versions(store, profile.profile_id)
    if refit:
        say("fitting markov and shapley")
        fit_channel_weights(store=store, profile=profile, clock=clock)
    say("computing credits")
    with store.transaction():
        version = next_version(store, "credit_rows", clock)
        run = write_credits(store, profile, {**params, "version": version}, scoped=False)
        store.execute(q.bound(q.DELETE_SUPERSEDED_ALL, {**params, "version": version}))
        _advance(store, profile.profile_id, marks)
    say("done")
    return run


def _update_profile(store: EventStore, profile: ProfileContext, clock: Clock) -> CreditRun:
    pid = profile.profile_id
    since = {s: watermark(store, _consumer(pid), s) for s in SOURCES}
    marks = _current_versions(store, pid)
    if all(marks[s] <= since[s] for s in SOURCES):
        return CreditRun(0, 0)
    if weights_stale(store=store, profile_id=pid):
        fit_channel_weights(store=store, profile=profile, clock=clock)
    persons, ids, stale = _scope(store, pid, _since(since))
    with store.transaction():
        version = next_version(store, "credit_rows", clock)
        params = {**statement_params(profile), "version": version, **_lists(persons, ids)}
        run = write_credits(store, profile, params, scoped=True) if ids else CreditRun(0, 0)
        if stale:
            keys = sorted((conversion_key(pid, c) for c in stale), reverse=True)
            store.execute(q.bound(q.DELETE_SUPERSEDED_SCOPED, {**params, "conversion_keys": keys}))
        _advance(store, pid, marks)
    return CreditRun(len(stale), run.rows)


def _scope(
    store: EventStore, profile_id: str, since: Mapping[str, int]
) -> tuple[list[int], list[str], list[str]]:
    """The dirty persons, the conversions to credit (theirs and the named ones: changed since
    the watermark, refunded since, or credited to a visitor whose link moved) and every
    conversion whose old rows go (those, plus their refunds)."""
    base = {"profile": profile_id, **since}
    persons = [int(r[0]) for r in store.query(q.bound(q.DIRTY_PERSONS, base))]
    named = {str(r[0]) for r in store.query(q.bound(q.CHANGED_CONVERSIONS, base))}
    moved = [int(r[0]) for r in store.query(q.bound(q.MOVED_VISITORS, base))]
    if moved:
        rows = store.query(q.bound(q.CREDITED_TO_MOVED_VISITORS, {**base, "visitors": moved}))
        named |= {str(r[0]) for r in rows}
    scope = {**base, **_lists(persons, sorted(named))}
    ids = {str(r[0]) for r in store.query(q.bound(q.CONVERSIONS_IN_SCOPE, scope))} | named
    listed = _lists([], sorted(ids))
    refunds = {str(r[0]) for r in store.query(q.bound(q.REFUNDS_OF, {**base, **listed}))}
    return persons, sorted(ids), sorted(ids | refunds)


def _lists(persons: list[int], conversions: list[str]) -> dict[str, list[Any]]:
    """List parameters, never empty (engines cannot type an empty list; 0 and '' match
    nothing). Largest key first: ClickHouse types the array by its first element."""
    return {
        "persons": sorted(persons, reverse=True) or [0],
        "conversions": conversions or [""],
    }


def statement_params(profile: ProfileContext) -> dict[str, Any]:
    """The credits statements' parameters from the profile's attribution settings."""
    a = profile.attribution
    return {
        "profile": profile.profile_id,
        "click_us": a.click_window_us,
        "view_us": a.view_window_us,
        "first_us": a.first_touch_window_us,
        "half_life_us": float(a.half_life_us),
        "reach_us": max(a.click_window_us, a.view_window_us, a.first_touch_window_us),
        "w_first": a.weights.first,
        "w_middle": a.weights.middle,
        "w_last": a.weights.last,
    }


def _consumer(profile_id: str) -> str:
    return f"{CONSUMER}:{profile_id}"


def _since(since: Mapping[str, int]) -> dict[str, int]:
    return {
        "sessions_since": since["sessions"],
        "touches_since": since["touch_rows"],
        "conversions_since": since["conversions"],
        "identity_since": since["identity_map"],
    }


def _current_versions(store: EventStore, profile_id: str) -> dict[str, int]:
    [row] = store.query(Sql(q.VERSIONS, {"profile": profile_id}))
    return {source: int(value) for source, value in zip(SOURCES, row, strict=True)}


def _advance(store: EventStore, profile_id: str, marks: Mapping[str, int]) -> None:
    for source, version in marks.items():
        advance_watermark(store, _consumer(profile_id), source, version)


def _profiles_with_changes(store: EventStore) -> list[str]:
    rows = store.query(
        Sql(
            "SELECT DISTINCT profile_id FROM conversions"
            " UNION SELECT DISTINCT profile_id FROM touch_rows"
        )
    )
    return sorted(str(r[0]) for r in rows)
