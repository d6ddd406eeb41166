"""The session rule: inactivity and source-change splits, and each session's facts."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.sessions import (
    ENGAGED_ALLOWANCE_MS,
    SessionEvent,
    SessionRule,
    describe_session,
    is_visit,
    session_key,
    split_runs,
    split_sessions,
)

MINUTE = 60_000_000
T0 = 1_717_200_000_000_000  # 2024-06-01 00:00:00 UTC in µs
INACTIVITY = SessionRule()
SOURCE_CHANGE = SessionRule(split_on_source=True)


def page_view(minute: float, path: str = "/", **fields: Any) -> SessionEvent:
    ts = T0 + int(minute * MINUTE)
    url = f"https://clinic.example{path}"
    return SessionEvent(event_id=f"pv-{ts}", ts=ts, type="page_view", path=path, url=url, **fields)


def event(minute: float, type_: str = "track", **fields: Any) -> SessionEvent:
    ts = T0 + int(minute * MINUTE)
    return SessionEvent(event_id=f"{type_}-{ts}", ts=ts, type=type_, **fields)


def sizes(sessions: list[list[SessionEvent]]) -> list[int]:
    return [len(s) for s in sessions]


def test_a_gap_longer_than_the_timeout_starts_a_new_session() -> None:
    events = [page_view(0), page_view(30), page_view(60.01)]
    assert sizes(split_sessions(events, INACTIVITY)) == [2, 1]


def test_the_profile_timeout_replaces_the_default() -> None:
    events = [page_view(0), page_view(16)]
    assert sizes(split_sessions(events, SessionRule(timeout_minutes=15))) == [1, 1]
    assert sizes(split_sessions(events, INACTIVITY)) == [2]


@pytest.mark.parametrize("minutes", [0, 121])
def test_timeout_outside_one_to_120_minutes_is_refused(minutes: int) -> None:
    with pytest.raises(ValueError, match="1-120"):
        SessionRule(timeout_minutes=minutes)


def test_events_are_ordered_by_time_whatever_order_they_arrive_in() -> None:
    events = [page_view(45, "/c"), page_view(0, "/a"), page_view(20, "/b")]
    [session] = split_sessions(events, INACTIVITY)
    assert [e.path for e in session] == ["/a", "/b", "/c"]


def test_a_new_ad_click_splits_only_in_source_change_mode() -> None:
    google = page_view(0, click_id_type="gclid", click_id="g.1")
    facebook = page_view(10, click_id_type="fbclid", click_id="fb.1")
    events = [google, facebook]
    assert sizes(split_sessions(events, INACTIVITY)) == [2]
    assert sizes(split_sessions(events, SOURCE_CHANGE)) == [1, 1]


def test_the_same_source_again_and_internal_navigation_do_not_split() -> None:
    events = [
        page_view(0, "/", utm_source="facebook", utm_medium="paid"),
        page_view(2, "/pricing"),
        page_view(4, "/", utm_source="facebook", utm_medium="paid"),
    ]
    assert sizes(split_sessions(events, SOURCE_CHANGE)) == [3]


def test_a_marketing_source_after_a_direct_start_splits() -> None:
    events = [page_view(0, "/"), page_view(5, "/", referrer_domain="google.com")]
    assert sizes(split_sessions(events, SOURCE_CHANGE)) == [1, 1]


def test_an_event_before_the_landing_page_view_does_not_split_it_off() -> None:
    events = [event(0, "identify"), page_view(0.01, "/", utm_source="newsletter")]
    assert sizes(split_sessions(events, SOURCE_CHANGE)) == [2]


def test_a_return_from_a_payment_page_never_splits() -> None:
    events = [
        page_view(0, "/", utm_source="facebook"),
        page_view(8, "/thanks", referrer_domain="checkout.stripe.com", is_payment_return=True),
    ]
    assert sizes(split_sessions(events, SOURCE_CHANGE)) == [2]


def test_server_side_events_never_create_or_extend_sessions() -> None:
    events = [
        page_view(0),
        event(20, "revenue", origin="webhook:stripe"),
        page_view(40),
        event(300, "revenue", origin="webhook:stripe"),
    ]
    sessions = split_sessions(events, INACTIVITY)
    assert sizes(sessions) == [1, 1]
    assert all(e.origin == "tracker" for s in sessions for e in s)


def test_engagement_extends_a_session_but_never_makes_one_alone() -> None:
    reading = [page_view(0), event(25, "engagement"), page_view(50)]
    assert sizes(split_sessions(reading, INACTIVITY)) == [3]
    idle_tab = [page_view(0), event(90, "engagement"), event(91, "engagement")]
    assert sizes(split_sessions(idle_tab, INACTIVITY)) == [1]


def test_a_run_of_passive_events_is_kept_as_a_run_but_is_no_visit() -> None:
    events = [page_view(0), event(90, "engagement"), event(91, "impression")]
    runs = split_runs(events, INACTIVITY)
    assert [is_visit(r) for r in runs] == [True, False]
    assert split_sessions(events, INACTIVITY) == runs[:1]


def test_imported_events_make_sessions_like_tracker_events() -> None:
    events = [page_view(0, origin="import"), page_view(1, origin="import")]
    assert sizes(split_sessions(events, INACTIVITY)) == [2]


def test_facts_of_a_session() -> None:
    events = [
        page_view(0, "/", utm_source="google", utm_medium="cpc", channel="Paid Search"),
        event(1, "engagement", engaged_ms=40_000, path="/"),
        page_view(2, "/pricing", channel="Direct"),
        event(3, "track", path="/pricing"),
    ]
    [session] = split_sessions(events, INACTIVITY)
    facts = describe_session(session)
    assert (facts.entry_path, facts.exit_path) == ("/", "/pricing")
    assert (facts.channel, facts.utm_source, facts.utm_medium) == ("Paid Search", "google", "cpc")
    assert facts.landing_url == "https://clinic.example/"
    assert (facts.events, facts.pageviews, facts.interactions) == (4, 2, 1)
    assert facts.duration_ms == 3 * 60_000
    assert facts.engaged_ms == 40_000
    assert not facts.bounced


def test_entry_fields_come_from_the_first_event_and_the_exit_page_from_the_last() -> None:
    events = [
        event(0, "identify", path="/form", country="MX", channel="Email"),
        page_view(0.5, "/thanks", country="US", channel="Direct"),
        event(1, "engagement", path="/thanks/more"),
    ]
    [session] = split_sessions(events, INACTIVITY)
    facts = describe_session(session)
    assert (facts.entry_path, facts.country, facts.channel) == ("/form", "MX", "Email")
    assert facts.exit_path == "/thanks/more"


@pytest.mark.parametrize(
    ("events", "bounced"),
    [
        ([page_view(0)], True),
        ([page_view(0), event(1, "engagement", engaged_ms=9000)], True),
        ([page_view(0), event(1, "impression")], True),
        ([page_view(0), event(1, "consent")], True),
        ([page_view(0), event(1, "track")], False),
        ([page_view(0), page_view(1)], False),
    ],
)
def test_a_bounce_is_one_page_view_without_interaction(
    events: list[SessionEvent], bounced: bool
) -> None:
    [session] = split_sessions(events, INACTIVITY)
    assert describe_session(session).bounced is bounced


def test_engaged_time_is_capped_by_the_visit_span_plus_an_allowance() -> None:
    events = [page_view(0), event(1, "engagement", engaged_ms=10 * 60_000)]
    [session] = split_sessions(events, INACTIVITY)
    assert describe_session(session).engaged_ms == 60_000 + ENGAGED_ALLOWANCE_MS


def test_a_session_without_page_views_is_a_visit_but_no_bounce() -> None:
    events = [event(0, "track", path="/form"), event(1, "identify", path="/x")]
    [session] = split_sessions(events, INACTIVITY)
    facts = describe_session(session)
    assert (facts.pageviews, facts.interactions, facts.bounced) == (0, 2, False)


def test_from_row_reads_an_enriched_row_and_ignores_other_columns() -> None:
    row = {"event_id": "e1", "ts": T0, "type": "page_view", "path": "/", "revenue": None}
    row |= {"session_id": "s", "is_payment_return": None, "engaged_ms": 0}
    assert SessionEvent.from_row(row) == SessionEvent(
        event_id="e1", ts=T0, type="page_view", path="/"
    )


@given(
    st.integers(min_value=0, max_value=2**64 - 1),
    st.integers(min_value=0, max_value=2**62),
    st.integers(min_value=0, max_value=2**62),
)
def test_a_visitors_sessions_never_share_a_key(visitor: int, start: int, other: int) -> None:
    key = session_key(visitor, start)
    assert 0 <= key < 2**64
    assert (key == session_key(visitor, other)) == (start == other)


# -- properties ------------------------------------------------------------------------------

SOURCES: list[dict[str, Any]] = [
    {},
    {"utm_source": "fb"},
    {"utm_source": "google", "utm_medium": "cpc"},
]
SOURCES += [{"referrer_domain": "news.example"}, {"click_id_type": "gclid", "click_id": "g1"}]
SOURCES += [{"referrer_domain": "checkout.stripe.com", "is_payment_return": True}]


@st.composite
def visitor_events(draw: st.DrawFn) -> list[SessionEvent]:
    count = draw(st.integers(min_value=0, max_value=25))
    ts = T0
    events = []
    for index in range(count):
        ts += draw(st.sampled_from([0, 1, 5 * MINUTE, 29 * MINUTE, 31 * MINUTE, 200 * MINUTE]))
        kind = draw(
            st.sampled_from(["page_view", "page_view", "track", "engagement", "impression"])
        )
        origin = draw(st.sampled_from(["tracker", "tracker", "import", "webhook:stripe"]))
        extra = draw(st.sampled_from(SOURCES)) if kind == "page_view" else {}
        engaged = draw(st.integers(0, 120_000)) if kind == "engagement" else 0
        events.append(
            SessionEvent(
                event_id=f"e{index:03d}",
                ts=ts,
                type=kind,
                origin=origin,
                path=f"/p{index % 4}",
                engaged_ms=engaged,
                **extra,
            )
        )
    return draw(st.permutations(events))


rules = st.builds(
    SessionRule, timeout_minutes=st.sampled_from([1, 30, 120]), split_on_source=st.booleans()
)


@given(visitor_events(), rules)
def test_every_active_first_party_event_belongs_to_exactly_one_session(
    events: list[SessionEvent], rule: SessionRule
) -> None:
    placed = [e.event_id for s in split_sessions(events, rule) for e in s]
    assert len(placed) == len(set(placed))
    active = {e.event_id for e in events if e.is_first_party and not e.is_passive}
    assert active <= set(placed)
    assert all(e.is_first_party for s in split_sessions(events, rule) for e in s)


@given(visitor_events(), rules)
def test_no_session_spans_a_gap_longer_than_the_timeout(
    events: list[SessionEvent], rule: SessionRule
) -> None:
    for session in split_sessions(events, rule):
        gaps = [b.ts - a.ts for a, b in itertools.pairwise(session)]
        assert all(0 <= gap <= rule.timeout_us for gap in gaps)


@given(visitor_events(), st.sampled_from([1, 30, 120]))
def test_source_change_mode_never_gives_fewer_sessions(
    events: list[SessionEvent], timeout: int
) -> None:
    inactivity = split_sessions(events, SessionRule(timeout_minutes=timeout))
    source = split_sessions(events, SessionRule(timeout_minutes=timeout, split_on_source=True))
    assert len(source) >= len(inactivity)


@given(visitor_events(), rules)
def test_server_side_events_do_not_change_sessions(
    events: list[SessionEvent], rule: SessionRule
) -> None:
    first_party = [e for e in events if e.is_first_party]
    assert split_sessions(events, rule) == split_sessions(first_party, rule)


@given(visitor_events(), st.sampled_from([1, 30, 120]))
def test_payment_returns_alone_never_split_by_source(
    events: list[SessionEvent], timeout: int
) -> None:
    returns_only = [
        replace(e, utm_source="", utm_medium="", click_id="", is_payment_return=True)
        for e in events
    ]
    inactivity = split_sessions(returns_only, SessionRule(timeout_minutes=timeout))
    source = SessionRule(timeout_minutes=timeout, split_on_source=True)
    assert split_sessions(returns_only, source) == inactivity


@given(visitor_events(), rules)
def test_sessions_follow_each_other_and_facts_add_up(
    events: list[SessionEvent], rule: SessionRule
) -> None:
    sessions = [describe_session(s) for s in split_sessions(events, rule)]
    for earlier, later in itertools.pairwise(sessions):
        assert earlier.ended_at <= later.started_at
    for facts in sessions:
        assert facts.engaged_ms <= facts.duration_ms + ENGAGED_ALLOWANCE_MS
        assert facts.bounced == (facts.pageviews <= 1 and facts.interactions == 0)
    placed_views = sum(e.is_page_view for s in split_sessions(events, rule) for e in s)
    assert sum(f.pageviews for f in sessions) == placed_views
    assert len({f.started_at for f in sessions}) == len(sessions)
