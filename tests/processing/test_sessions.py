"""Materialized sessions on DuckDB and chdb: the SQL equals the pure rule of domain/sessions.py,
and incremental updates in any batch order equal one full recompute."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.store.engines import EPOCH, T0, event_row, event_table, ndjson

from touchline.domain.engagement import (
    engagement_quality_score,
    is_error_report,
    is_video_report,
    reported_scroll,
)
from touchline.domain.sessions import (
    ENTRY_FIELDS,
    SessionEvent,
    SessionRule,
    describe_session,
    session_key,
    split_sessions,
)
from touchline.ingest.context import ProfileContext, SessionMode
from touchline.ingest.loader import Loader
from touchline.ingest.spool import Spool
from touchline.processing.session_queries import current_sessions
from touchline.processing.sessions import (
    catch_up_sessions,
    recompute_sessions,
    session_rule,
    sessions_after_load,
    update_sessions,
)
from touchline.store.base import EventStore, Sql

PROFILE = "prof_1"
MINUTE = dt.timedelta(minutes=1)
SOURCE_MODE = SessionMode.INACTIVITY_OR_SOURCE_CHANGE
ENGAGEMENT = "max_scroll_percent, video_events, error_events, engagement_score"
FACTS = (
    "session_key, visitor_key, started_at, ended_at, events, pageviews, interactions, bounced, "
    "engaged_ms, entry_path, exit_path, landing_url, host, "
    + ", ".join(ENTRY_FIELDS)
    + ", "
    + ENGAGEMENT
)
_profiles = itertools.count()


def view(minute: float, path: str = "/", *, anonymous: str = "anon-1", **fields: Any) -> Any:
    fields.setdefault("profile_id", PROFILE)
    url = f"https://example.com{path}"
    return event_row(ts=T0 + minute * MINUTE, anonymous_id=anonymous, path=path, url=url, **fields)


def event(minute: float, type_: str, **fields: Any) -> Any:
    return view(minute, type=type_, name=type_, **fields)


def report(minute: float, name: str, payload: dict[str, Any] | None = None, **fields: Any) -> Any:
    """An engagement event (scroll_depth, page_engagement, video_progress, js_error, …)."""
    text = json.dumps(payload) if payload is not None else ""
    return view(minute, type="engagement", name=name, payload=text, **fields)


def load(
    store: EventStore,
    rows: Sequence[dict[str, Any]],
    profiles: Mapping[str, ProfileContext] | None = None,
) -> int:
    table = event_table(rows)
    store.append("events", table)
    return update_sessions(store=store, new_rows=table, profiles=profiles or {})


def stored(store: EventStore, profile_id: str = PROFILE) -> list[tuple[Any, ...]]:
    """The visits of a profile, as reports read them."""
    visits = current_sessions("profile_id = $p")
    sql = f"SELECT {FACTS} FROM ({visits}) AS v ORDER BY visitor_key, started_at"
    return store.query(Sql(sql, {"p": profile_id}))


def expected(rows: Sequence[dict[str, Any]], rule: SessionRule) -> list[tuple[Any, ...]]:
    """The pure rule's sessions in the stored shape, in the same order."""
    by_visitor: dict[int, list[SessionEvent]] = defaultdict(list)
    by_id = {(row["visitor_key"], row["event_id"]): row for row in rows}
    for row in rows:
        by_visitor[row["visitor_key"]].append(SessionEvent.from_row(row))
    out = []
    for key in sorted(by_visitor):
        for events in split_sessions(by_visitor[key], rule):
            facts = describe_session(events)
            signals = engagement_signals([by_id[key, e.event_id] for e in events])
            score = engagement_quality_score(
                engaged_ms=facts.engaged_ms, pageviews=facts.pageviews, **signals
            )
            out.append(
                (
                    session_key(key, facts.started_at),
                    key,
                    EPOCH + dt.timedelta(microseconds=facts.started_at),
                    EPOCH + dt.timedelta(microseconds=facts.ended_at),
                    facts.events,
                    facts.pageviews,
                    facts.interactions,
                    facts.bounced,
                    facts.engaged_ms,
                    facts.entry_path,
                    facts.exit_path,
                    facts.landing_url,
                    facts.host,
                    *(getattr(facts, name) for name in ENTRY_FIELDS),
                    *signals.values(),
                    score,
                )
            )
    return out


def engagement_signals(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """A session's engagement signals by the pure rules of domain/engagement.py."""
    scrolls = [
        reported_scroll(r["type"], r["name"], json.loads(r["payload"]) if r["payload"] else None)
        for r in rows
    ]
    return {
        "max_scroll_percent": max((s for s in scrolls if s is not None), default=0),
        "video_events": sum(1 for r in rows if is_video_report(r["type"], r["name"])),
        "error_events": sum(1 for r in rows if is_error_report(r["type"], r["name"])),
    }


def test_inactivity_splits_sessions_and_each_gets_its_facts(event_store: EventStore) -> None:
    rows = [
        view(0, "/", channel="Paid Search", utm_source="google", utm_medium="cpc"),
        view(10, "/pricing"),
        event(12, "engagement", path="/pricing", engaged_ms=30_000),
        event(15, "track", path="/pricing"),
        view(60, "/blog", channel="Organic Search", referrer_domain="google.com"),
    ]
    load(event_store, rows)

    [first, second] = stored(event_store)
    assert first[4:11] == (4, 2, 1, False, 30_000, "/", "/pricing")
    assert first[13] == "Paid Search"
    assert second[4:11] == (1, 1, 0, True, 0, "/blog", "/blog")
    assert [first, second] == expected(rows, SessionRule())


def test_server_side_events_never_make_or_extend_sessions(event_store: EventStore) -> None:
    rows = [
        view(0),
        event(25, "revenue", origin="webhook:stripe"),
        view(50),
        event(300, "revenue", origin="webhook:stripe"),
    ]
    load(event_store, rows)

    assert [s[4] for s in stored(event_store)] == [1, 1]


def test_a_late_event_merges_two_sessions_and_the_merged_one_is_gone(
    event_store: EventStore,
) -> None:
    load(event_store, [view(0, "/a"), view(40, "/c")])
    assert len(stored(event_store)) == 2

    load(event_store, [view(20, "/b")])

    [merged] = stored(event_store)
    assert merged[4:11] == (3, 3, 0, False, 0, "/a", "/c")
    [(rows,)] = event_store.query(Sql("SELECT count(*) FROM sessions"))
    assert rows == 1


def test_an_earlier_event_moves_the_start_and_the_key(event_store: EventStore) -> None:
    load(event_store, [view(10, "/b")])
    load(event_store, [view(5, "/a")])

    [session] = stored(event_store)
    visitor = session[1]
    assert session[0] == session_key(
        visitor, int((T0 + 5 * MINUTE - EPOCH).total_seconds()) * 10**6
    )
    assert session[9] == "/a"


def test_engagement_alone_is_no_visit_until_a_page_view_joins_it(
    event_store: EventStore,
) -> None:
    load(event_store, [event(0, "engagement", engaged_ms=5_000)])
    load(event_store, [event(20, "engagement", engaged_ms=5_000)])
    assert stored(event_store) == []

    load(event_store, [view(40, "/later")])

    [visit] = stored(event_store)
    assert visit[2] == T0 and visit[4:6] == (3, 1)
    [(rows,)] = event_store.query(Sql("SELECT count(*) FROM sessions"))
    assert rows == 1


def engagement_of(store: EventStore) -> list[tuple[Any, ...]]:
    sql = f"SELECT {ENGAGEMENT} FROM sessions ORDER BY started_at"
    return store.query(Sql(sql))


def test_a_sessions_engagement_columns_come_from_its_reports(event_store: EventStore) -> None:
    rows = [
        view(0, "/"),
        report(1, "scroll_depth", {"percent": 50}),
        report(2, "page_engagement", {"max_scroll_percent": 80}, engaged_ms=45_000),
        report(3, "video_progress", {"percent": 25}),
        report(4, "video_progress", {"percent": 50}),
        report(5, "js_error", {"message": "TypeError: x is undefined"}),
        view(6, "/pricing"),
        report(7, "heartbeat", {"engaged_ms": 60_000}, engaged_ms=60_000),
        view(60, "/blog"),
    ]
    load(event_store, rows)

    # 105 s engaged (35) + 80 % scroll (20) + 2 pages (10) + 2 videos (10) - 1 error (5) = 70;
    # the later visit: 1 page (5).
    assert engagement_of(event_store) == [(80, 2, 1, 70), (0, 0, 0, 5)]
    assert [s[-4:] for s in stored(event_store)] == [s[-4:] for s in expected(rows, SessionRule())]


def test_scroll_reports_without_a_depth_from_0_to_100_report_none(
    event_store: EventStore,
) -> None:
    rows = [
        view(0),
        report(1, "scroll_depth", {"percent": "deep"}),
        report(2, "scroll_depth", {"percent": 250}),
        report(3, "scroll_depth", {"percent": True}),
        report(4, "scroll_depth", {"percent": -3}),
        report(5, "scroll_depth", {"percent": {"value": 90}}),
        report(6, "scroll_depth", {"max_scroll_percent": 90}),  # the other report's field
        report(7, "scroll_depth"),
        report(8, "page_engagement", {"max_scroll_percent": None}),
        view(9, type="track", name="scroll_depth", payload='{"percent": 95}'),
        report(10, "page_engagement", {"max_scroll_percent": "30"}),
        report(11, "scroll_depth", {"percent": 12.9}),
    ]
    load(event_store, rows)

    [(max_scroll, videos, errors, _score)] = engagement_of(event_store)
    assert (max_scroll, videos, errors) == (30, 0, 0)


def test_an_update_rescores_the_session_it_extends(event_store: EventStore) -> None:
    load(event_store, [view(0), report(1, "scroll_depth", {"percent": 25})])
    assert engagement_of(event_store) == [(25, 0, 0, 11)]

    load(event_store, [report(2, "scroll_depth", {"percent": 100}), view(3, "/next")])

    assert engagement_of(event_store) == [(100, 0, 0, 35)]
    [(rows,)] = event_store.query(Sql("SELECT count(*) FROM sessions"))
    assert rows == 1


def test_the_profiles_timeout_and_mode_decide_the_split(event_store: EventStore) -> None:
    short = ProfileContext(profile_id="prof_short", session_timeout_minutes=15)
    by_source = ProfileContext(profile_id="prof_source", session_mode=SOURCE_MODE)
    profiles = {p.profile_id: p for p in (short, by_source)}
    rows = [
        view(0, profile_id="prof_short"),
        view(20, profile_id="prof_short"),
        view(0, profile_id="prof_source", click_id_type="gclid", click_id="g.1"),
        view(10, profile_id="prof_source", click_id_type="fbclid", click_id="fb.1"),
        view(0, profile_id="prof_default"),
        view(20, profile_id="prof_default"),
    ]
    load(event_store, rows, profiles)

    assert len(stored(event_store, "prof_short")) == 2
    assert len(stored(event_store, "prof_source")) == 2
    assert len(stored(event_store, "prof_default")) == 1  # unknown profile: 30 min, inactivity


def test_recompute_rebuilds_one_profile_and_leaves_the_others(event_store: EventStore) -> None:
    load(event_store, [view(0), view(20), view(0, profile_id="prof_2")])
    assert len(stored(event_store)) == 1

    written = recompute_sessions(
        store=event_store, profile=ProfileContext(profile_id=PROFILE, session_timeout_minutes=10)
    )

    assert written == 2
    assert len(stored(event_store)) == 2
    assert len(stored(event_store, "prof_2")) == 1


def test_the_loader_hook_sessionizes_each_committed_batch(
    event_store: EventStore, tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    with Spool(spool_dir, segment_bytes=1 << 20) as spool:
        spool.append_blocking(ndjson([view(0), view(5, "/next")]))
    loader = Loader(
        spool_dir=spool_dir,
        store=event_store,
        batch_events=1000,
        after_load=sessions_after_load({PROFILE: ProfileContext(profile_id=PROFILE)}),
    )
    try:
        loader.drain_once()
    finally:
        loader.stop()

    [session] = stored(event_store)
    assert session[4:6] == (2, 2)


def test_catch_up_sessionizes_a_batch_whose_hook_never_ran(event_store: EventStore) -> None:
    load(event_store, [view(0, "/a")])
    event_store.append("events", event_table([view(10, "/b"), view(15, "/c", anonymous="anon-2")]))
    assert len(stored(event_store)) == 1  # "crashed" before after_load

    catch_up_sessions(store=event_store, profiles={})

    assert {(s[4], s[9], s[10]) for s in stored(event_store)} == {(2, "/a", "/b"), (1, "/c", "/c")}


def test_catch_up_on_an_empty_store_does_nothing(event_store: EventStore) -> None:
    assert catch_up_sessions(store=event_store, profiles={}) == 0


def test_session_rule_follows_the_profile() -> None:
    profile = ProfileContext(profile_id="p", session_timeout_minutes=45, session_mode=SOURCE_MODE)
    assert session_rule(profile) == SessionRule(timeout_minutes=45, split_on_source=True)


# -- properties: SQL = the pure rule, incremental = full ----------------------------------------

GAPS = [0, 1, 5 * 60_000_000, 29 * 60_000_000, 31 * 60_000_000, 200 * 60_000_000]
SOURCES: list[dict[str, Any]] = [
    {},
    {"utm_source": "fb", "channel": "Paid Social"},
    {"utm_source": "google", "utm_medium": "cpc", "channel": "Paid Search"},
    {"referrer_domain": "news.example", "channel": "Referral"},
    {"click_id_type": "gclid", "click_id": "g1", "channel": "Paid Search"},
    {"referrer_domain": "checkout.stripe.com", "is_payment_return": True},
]
KINDS = ["page_view", "page_view", "track", "engagement", "impression"]
REPORTS = ["heartbeat", "scroll_depth", "page_engagement", "video_progress", "js_error"]
DEPTHS = st.one_of(
    st.integers(-20, 130),
    st.floats(-10, 110, allow_nan=False),
    st.sampled_from(["75", "x", True, None, {"value": 1}]),
)
PAYLOADS = st.one_of(
    st.just(""),
    st.dictionaries(st.sampled_from(["percent", "max_scroll_percent"]), DEPTHS).map(json.dumps),
)


@st.composite
def traffic(draw: st.DrawFn, profile_id: str) -> list[dict[str, Any]]:
    rows = []
    for visitor in range(draw(st.integers(1, 4))):
        ts = T0
        for index in range(draw(st.integers(0, 10))):
            ts += dt.timedelta(microseconds=draw(st.sampled_from(GAPS)))
            kind = draw(st.sampled_from(KINDS))
            uuid_id = str(draw(st.uuids()))
            event_id = draw(st.sampled_from([uuid_id, f"evt-{visitor}-{index}"]))
            fields = draw(st.sampled_from(SOURCES)) if kind == "page_view" else {}
            if kind == "engagement":
                fields |= {"name": draw(st.sampled_from(REPORTS)), "payload": draw(PAYLOADS)}
            rows.append(
                event_row(
                    profile_id=profile_id,
                    event_id=event_id,
                    anonymous_id=f"anon-{visitor}",
                    ts=ts,
                    type=kind,
                    origin=draw(st.sampled_from(["tracker", "import", "webhook:stripe"])),
                    path=f"/p{draw(st.integers(0, 3))}",
                    device=draw(st.sampled_from(["desktop", "mobile"])),
                    engaged_ms=draw(st.integers(0, 90_000)) if kind == "engagement" else 0,
                    **fields,
                )
            )
    return rows


def fresh_profile() -> str:
    return f"prof_p{next(_profiles)}"


EXAMPLES = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@EXAMPLES
@given(data=st.data(), source_mode=st.booleans(), timeout=st.sampled_from([1, 30, 120]))
def test_sql_sessions_equal_the_pure_rule(
    event_store: EventStore, data: st.DataObject, source_mode: bool, timeout: int
) -> None:
    profile_id = fresh_profile()
    rows = data.draw(traffic(profile_id))
    mode = SOURCE_MODE if source_mode else SessionMode.INACTIVITY_ONLY
    profile = ProfileContext(profile_id, session_timeout_minutes=timeout, session_mode=mode)
    if rows:
        event_store.append("events", event_table(rows))

    recompute_sessions(store=event_store, profile=profile)

    assert stored(event_store, profile_id) == expected(rows, session_rule(profile))


@EXAMPLES
@given(data=st.data(), source_mode=st.booleans())
def test_batches_in_any_order_give_the_sessions_of_one_recompute(
    event_store: EventStore, data: st.DataObject, source_mode: bool
) -> None:
    profile, rows = load_shuffled(event_store, data, source_mode)

    assert stored(event_store, profile.profile_id) == expected(rows, session_rule(profile))


def load_shuffled(
    store: EventStore, data: st.DataObject, source_mode: bool
) -> tuple[ProfileContext, list[dict[str, Any]]]:
    """A new profile's traffic, shuffled and loaded in up to five batches (each one a sessions
    update); the profile and every row loaded."""
    profile_id = fresh_profile()
    rows = data.draw(st.permutations(data.draw(traffic(profile_id))))
    mode = SOURCE_MODE if source_mode else SessionMode.INACTIVITY_ONLY
    profile = ProfileContext(profile_id, session_mode=mode)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=4)))
    for start, stop in itertools.pairwise([0, *cuts, len(rows)]):
        if stop > start:
            load(store, rows[start:stop], {profile_id: profile})
    return profile, rows
