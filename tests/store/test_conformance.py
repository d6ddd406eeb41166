"""Every event-plane query of the store and the loader, on DuckDB and on chdb: same answers.

Each test runs once per engine (the `event_store` fixture) against explicit expected values,
so both engines must agree with them and with each other. Orderings are total.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.store.engines import T0, event_row, event_table

from touchline.ingest.loader import CHECKPOINTS, FORGET_SEGMENT, STORED
from touchline.store.base import EventStore, Sql
from touchline.store.schema import EVENT_COLUMN_NAMES, SPOOL_CHECKPOINTS, arrow_schema

UUID_ID = "0b7e4a8e-1d2c-4f5a-9b6c-7d8e9f0a1b2c"


def test_a_live_engine_answers_a_ping(event_store: EventStore) -> None:
    event_store.ping()


def test_events_read_back_exactly_as_appended(event_store: EventStore) -> None:
    rows = [
        event_row(event_id="evt_1", ts=T0, revenue="1234.5678", currency="USD", type="revenue"),
        event_row(
            event_id=UUID_ID,
            ts=T0 + dt.timedelta(microseconds=1),
            title="Clínica — ñandú 🎉",
            visitor_key=2**64 - 1,
            is_payment_return=True,
            engaged_ms=15_000,
            payload='{"depth": 75}',
        ),
    ]
    event_store.append("events", event_table(rows))

    columns = ", ".join(EVENT_COLUMN_NAMES)
    stored = event_store.query(Sql(f"SELECT {columns} FROM events ORDER BY event_id"))

    assert stored == [tuple(row.values()) for row in _as_stored(rows)]


@pytest.mark.parametrize(
    "event_id",
    [
        UUID_ID,
        UUID_ID.upper(),  # not canonical: kept as text, never rewritten
        "00000000-0000-0000-0000-000000000000",
        "evt_3MtwBwLkdIwHu7ix28a3tqPa",
        "x",
    ],
)
def test_any_event_id_reads_back_unchanged(event_store: EventStore, event_id: str) -> None:
    event_store.append("events", event_table([event_row(event_id=event_id)]))

    assert event_store.query(Sql("SELECT event_id FROM events")) == [(event_id,)]


def test_counts_filter_by_profile_time_and_lists(event_store: EventStore) -> None:
    rows = [
        event_row(profile_id="prof_a", anonymous_id=f"v{i % 3}", ts=T0 + dt.timedelta(hours=i))
        for i in range(6)
    ] + [event_row(profile_id="prof_b", ts=T0)]
    event_store.append("events", event_table(rows))
    sql = Sql(
        "SELECT profile_id, count(*) AS events, count(DISTINCT visitor_key) AS visitors "
        "FROM events WHERE ts >= $since AND list_contains($profiles, profile_id) "
        "GROUP BY profile_id ORDER BY profile_id",
        {"since": T0 + dt.timedelta(hours=1), "profiles": ["prof_a", "prof_b"]},
    )

    assert event_store.query(sql) == [("prof_a", 5, 3)]


def test_revenue_sums_as_decimal(event_store: EventStore) -> None:
    amounts = ["0.1", "0.2", "1234567.8901"]
    event_store.append("events", event_table([event_row(revenue=a) for a in amounts]))

    total = event_store.query(Sql("SELECT sum(revenue) FROM events"))

    assert total == [(Decimal("1234568.1901"),)]


def test_stored_query_finds_the_batch_rows_already_stored(event_store: EventStore) -> None:
    event_store.append("events", event_table([event_row(event_id="stored", ts=T0)]))
    batch = pa.table(
        {
            "profile_id": ["prof_1", "prof_1", "prof_1", "prof_2"],
            "event_id": ["new", "stored", "other", "stored"],
            "ts": pa.array([T0] * 4, pa.timestamp("us", tz="UTC")),
            "visitor_key": pa.array([1] * 4, pa.uint64()),
            "seq": pa.array(range(4), pa.int64()),
        }
    )
    params = {"ts_from": T0, "ts_to": T0, "profiles": ["prof_1", "prof_2"]}

    stored = event_store.query(Sql(STORED, params), tables={"batch": batch})

    assert stored == [(1,)]  # prof_1's "stored"; prof_2's "stored" is another event


def test_stored_query_looks_only_inside_the_time_range(event_store: EventStore) -> None:
    event_store.append("events", event_table([event_row(event_id="e", ts=T0)]))
    batch = pa.table(
        {
            "profile_id": ["prof_1"],
            "event_id": ["e"],
            "ts": pa.array([T0 + dt.timedelta(days=1)], pa.timestamp("us", tz="UTC")),
            "visitor_key": pa.array([1], pa.uint64()),
            "seq": pa.array([0], pa.int64()),
        }
    )
    later = T0 + dt.timedelta(days=1)
    params = {"ts_from": later, "ts_to": later, "profiles": ["prof_1"]}

    assert event_store.query(Sql(STORED, params), tables={"batch": batch}) == []


def test_checkpoints_read_the_highest_offset_and_forget_a_segment(
    event_store: EventStore,
) -> None:
    for segment, end in [("s1", 100), ("s1", 250), ("s2", 40), ("s1", 180)]:
        event_store.append(SPOOL_CHECKPOINTS.name, _checkpoint(segment, end))

    ordered = Sql(f"{CHECKPOINTS} ORDER BY segment")
    assert event_store.query(ordered) == [("s1", 250), ("s2", 40)]

    event_store.execute(Sql(FORGET_SEGMENT, {"segment": "s1"}))
    assert event_store.query(ordered) == [("s2", 40)]


def test_migrations_are_recorded_once(event_store: EventStore) -> None:
    event_store.migrate()

    numbers = event_store.query(Sql("SELECT number FROM event_migrations ORDER BY number"))

    assert numbers == sorted(set(numbers))
    assert numbers[:2] == [(1,), (2,)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_text_parameters_round_trip(event_store: EventStore, text: str) -> None:
    assert event_store.query(Sql("SELECT $text AS value", {"text": text})) == [(text,)]


def test_arrow_inputs_can_be_read_by_name(event_store: EventStore) -> None:
    left = pa.table({"k": [1, 2, 3]})
    right = pa.table({"k": [2, 3, 4]})

    rows = event_store.query(
        Sql("SELECT l.k FROM l JOIN r ON l.k = r.k ORDER BY l.k"), tables={"l": left, "r": right}
    )

    assert rows == [(2,), (3,)]


def _checkpoint(segment: str, end: int) -> pa.Table:
    return pa.table(
        {"segment": [segment], "end_offset": [end], "loaded_at": [T0]},
        schema=arrow_schema(SPOOL_CHECKPOINTS.columns),
    )


def _as_stored(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    table = event_table(rows)  # timestamps and money as the engines return them
    return sorted(table.to_pylist(), key=lambda row: str(row["event_id"]))
