"""The dialect layer: DuckDB-dialect queries rendered for ClickHouse, types and DDL per engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from touchline.errors import InvalidParameter
from touchline.store import dialect
from touchline.store.base import Engine
from touchline.store.schema import EVENT_ROWS, EVENTS, SPOOL_CHECKPOINTS

T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _render(text: str, **params: object) -> str:
    return dialect.render_clickhouse(
        text, params, database="db", inputs={"batch": "Python(_input0)"}
    )


def test_parameters_become_typed_clickhouse_placeholders() -> None:
    sql = _render(
        "SELECT 1 FROM events WHERE ts >= $since AND visitor_key = $key AND "
        "list_contains($profiles, profile_id) AND engaged_ms > $ms",
        since=T0,
        key=2**64 - 1,
        profiles=["a", "b"],
        ms=5,
    )

    assert "{since: DateTime64(6, 'UTC')}" in sql
    assert "{key: UInt64}" in sql
    assert "has({profiles: Array(String)}, profile_id)" in sql
    assert "{ms: Int64}" in sql


def test_tables_are_qualified_but_ctes_and_inputs_are_not() -> None:
    sql = _render(
        "WITH recent AS (SELECT * FROM events) "
        "SELECT b.seq FROM batch AS b JOIN recent ON b.k = recent.k JOIN spool_checkpoints c "
        "ON c.segment = b.segment"
    )

    assert "FROM db.events" in sql
    assert "JOIN recent" in sql and "db.recent" not in sql
    assert "Python(_input0) AS b" in sql
    assert "db.spool_checkpoints AS c" in sql


def test_an_unaliased_input_keeps_its_name_for_column_references() -> None:
    sql = _render("SELECT batch.seq FROM batch")

    assert "FROM Python(_input0) AS batch" in sql


def test_full_regex_match_is_anchored_for_clickhouse() -> None:
    sql = dialect.expression("regexp_full_match(event_id, '[a-f]+')", Engine.CLICKHOUSE)

    assert sql == "match(event_id, '^(?:[a-f]+)$')"


def test_epoch_functions_are_renamed() -> None:
    assert dialect.expression("epoch_us(ts)", Engine.CLICKHOUSE) == "toUnixTimestamp64Micro(ts)"


def test_lower_folds_every_letter_on_clickhouse() -> None:
    assert dialect.expression("lower(path)", Engine.CLICKHOUSE) == "lowerUTF8(path)"


def test_duckdb_text_is_used_as_written() -> None:
    text = "regexp_full_match(event_id, '[a-f]+')"

    assert dialect.expression(text, Engine.DUCKDB) == text


def test_more_than_one_statement_is_refused() -> None:
    with pytest.raises(InvalidParameter):
        _render("SELECT 1; SELECT 2")


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (True, "Bool", "true"),
        (-3, "Int64", "-3"),
        (2**63, "UInt64", str(2**63)),
        (1.5, "Float64", "1.5"),
        (Decimal("12.3400"), "Decimal(38, 10)", "12.3400"),
        ("a\tb\\c\nd\x00", "String", "a\\tb\\\\c\\nd\\0"),
        (T0, "DateTime64(6, 'UTC')", "2026-03-02 12:00:00.000000"),
        (dt.date(2026, 3, 2), "Date", "2026-03-02"),
        (["it's", "x\\y"], "Array(String)", "['it\\'s','x\\\\y']"),
        ([1, 2], "Array(Int64)", "[1,2]"),
        ([], "Array(String)", "[]"),
    ],
)
def test_parameter_types_and_text(value: object, kind: str, text: str) -> None:
    assert dialect.clickhouse_param_type(value) == kind
    assert dialect.clickhouse_param_text(value) == text


def test_naive_timestamps_and_unknown_types_are_refused() -> None:
    with pytest.raises(InvalidParameter):
        dialect.clickhouse_param_text(dt.datetime(2026, 1, 1))  # noqa: DTZ001 - the point
    with pytest.raises(InvalidParameter):
        dialect.clickhouse_param_type(object())


def test_duckdb_tables_mark_key_columns_not_null() -> None:
    ddl = dialect.create_table(EVENT_ROWS, Engine.DUCKDB)

    assert "profile_id VARCHAR NOT NULL" in ddl
    assert "event_uuid UUID NOT NULL" in ddl
    assert "utm_source VARCHAR," in ddl
    assert "revenue DECIMAL(18, 4)" in ddl


def test_clickhouse_tables_are_replacing_merge_trees_ordered_by_the_key() -> None:
    events = dialect.create_table(EVENT_ROWS, Engine.CLICKHOUSE, database="db")
    checkpoints = dialect.create_table(SPOOL_CHECKPOINTS, Engine.CLICKHOUSE, database="db")

    assert events.startswith("CREATE TABLE IF NOT EXISTS db.event_rows")
    assert "ts DateTime64(6, 'UTC')," in events
    assert "utm_source Nullable(String)" in events
    assert events.endswith(
        "ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(ts) "
        "ORDER BY (profile_id, dateTrunc('DAY', ts), visitor_key, ts, event_uuid, event_key)"
    )
    assert "ENGINE = ReplacingMergeTree(end_offset)" in checkpoints


def test_appends_through_a_view_write_its_physical_table_sorted() -> None:
    sql = dialect.insert_select(
        EVENTS.name,
        ["profile_id", "event_id"],
        Engine.DUCKDB,
        source="rows",
        sort_key=EVENT_ROWS.sort_key,
    )

    assert sql.startswith("INSERT INTO event_rows (profile_id, event_uuid, event_key, type,")
    assert sql.endswith(
        "FROM rows ORDER BY profile_id, date_trunc('day', ts), visitor_key, ts, event_uuid, "
        "event_key"
    )


def test_a_statement_ending_in_an_empty_string_after_a_parameter_renders() -> None:
    sql = dialect.render_clickhouse(
        "SELECT $v FROM t WHERE a <> ''", {"v": 1}, database="", inputs={}
    )
    assert sql.endswith("a <> ''")
