"""What every sessions update writes beside the sessions: each session's neighbouring session
starts (`previous_start_us`, `next_start_us`) and each visit's pages (`session_pages`), equal
to what they are by definition however the events arrive."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.processing.test_sessions import EXAMPLES, fresh_profile, load, load_shuffled, traffic
from tests.store.engines import T0

from touchline.analytics.query import Period
from touchline.analytics.segments import EVERYTHING, period_sessions_sql
from touchline.analytics.visits import visits_sql
from touchline.domain.sessions import FIRST_PARTY_ORIGINS, PAGE_VIEW
from touchline.processing.sessions import recompute_sessions
from touchline.store.base import EventStore, Sql

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _us(at: dt.datetime) -> int:
    return (at - EPOCH) // dt.timedelta(microseconds=1)


def neighbours(store: EventStore, profile_id: str) -> list[tuple[Any, ...]]:
    sql = """SELECT visitor_key, started_at, previous_start_us, next_start_us FROM sessions
  WHERE profile_id = $p ORDER BY visitor_key, started_at"""
    return store.query(Sql(sql, {"p": profile_id}))


def expected_neighbours(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """From the stored sessions themselves: each visitor's sessions in time order."""
    by_visitor: dict[int, list[dt.datetime]] = defaultdict(list)
    for visitor, started, *_ in rows:
        by_visitor[visitor].append(started)
    out = []
    for visitor, starts in sorted(by_visitor.items()):
        for n, started in enumerate(starts):
            before = _us(starts[n - 1]) if n else 0
            after = _us(starts[n + 1]) if n + 1 < len(starts) else 0
            out.append((visitor, started, before, after))
    return out


def pages(store: EventStore, profile_id: str) -> Counter[tuple[Any, ...]]:
    sql = """SELECT session_key, path, views, bounced, engaged_ms, previous_start_us,
    next_start_us FROM session_pages WHERE profile_id = $p"""
    return Counter(store.query(Sql(sql, {"p": profile_id})))


def expected_pages(
    store: EventStore, profile_id: str, events: Sequence[dict[str, Any]]
) -> Counter[tuple[Any, ...]]:
    """Each stored session's first-party page views between its first and last event (the
    rows hold epoch µs)."""
    sql = """SELECT session_key, visitor_key, started_at, ended_at, bounced, engaged_ms,
    previous_start_us, next_start_us FROM sessions WHERE profile_id = $p"""
    out: Counter[tuple[Any, ...]] = Counter()
    for key, visitor, started, ended, bounced, engaged, before, after in store.query(
        Sql(sql, {"p": profile_id})
    ):
        viewed = Counter(
            e["path"]
            for e in events
            if e["visitor_key"] == visitor and e["type"] == PAGE_VIEW
            and e["origin"] in FIRST_PARTY_ORIGINS and _us(started) <= e["ts"] <= _us(ended)
        )  # fmt: skip
        for path, views in viewed.items():
            out[(key, path, views, bounced, engaged, before, after)] += 1
    return out


@EXAMPLES
@given(data=st.data(), source_mode=st.booleans())
def test_batches_in_any_order_keep_neighbours_and_pages_exact(
    event_store: EventStore, data: st.DataObject, source_mode: bool
) -> None:
    profile, rows = load_shuffled(event_store, data, source_mode)
    profile_id = profile.profile_id

    found = neighbours(event_store, profile_id)
    assert found == expected_neighbours(found)
    assert pages(event_store, profile_id) == expected_pages(event_store, profile_id, rows)
    incremental = (found, pages(event_store, profile_id))

    recompute_sessions(store=event_store, profile=profile)

    assert (neighbours(event_store, profile_id), pages(event_store, profile_id)) == incremental


@EXAMPLES
@given(data=st.data())
def test_visitors_counted_through_neighbours_equal_a_distinct_count(
    event_store: EventStore, data: st.DataObject
) -> None:
    profile_id = fresh_profile()
    rows = data.draw(traffic(profile_id))
    if rows:
        load(event_store, rows, {})
    days = st.integers(-1, 3).map(lambda n: T0.date() + dt.timedelta(days=n))
    first, last = sorted((data.draw(days), data.draw(days)))
    period = Period(first, last, data.draw(st.sampled_from(["UTC", "America/Mexico_City"])))
    params = {"profile": profile_id, "start": period.start, "end": period.end}
    plain = f"""SELECT s.device, count(DISTINCT s.visitor_key), count(*)
  FROM ({period_sessions_sql()}) s GROUP BY s.device"""

    found = event_store.query(visits_sql(profile_id, period, EVERYTHING, group="s.device"))

    assert sorted((k, int(v), int(n)) for k, v, n, *_ in found) == sorted(
        (k, int(v), int(n)) for k, v, n in event_store.query(Sql(plain, params))
    )
