"""The ClickHouse engine's seams: the server backend (a fake clickhouse-connect client) and
the one chdb session per process."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from tests.store.engines import chdb_path, event_row, event_table

from touchline.errors import InvalidParameter
from touchline.store.base import Sql
from touchline.store.clickhouse import ClickHouseStore, ServerBackend, chdb_session


class FakeClient:
    """Records what clickhouse-connect would send to the server."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, dict[str, Any], Any]] = []
        self.queries: list[tuple[str, dict[str, Any], Any]] = []

    def command(self, cmd: str, parameters: dict[str, Any], external_data: Any) -> None:
        self.commands.append((cmd, parameters, external_data))

    def query_arrow(self, query: str, parameters: dict[str, Any], external_data: Any) -> pa.Table:
        self.queries.append((query, parameters, external_data))
        return pa.table({"n": [1]})


def test_server_queries_carry_typed_placeholders_and_native_values() -> None:
    client = FakeClient()
    store = ClickHouseStore(ServerBackend(client), database="analytics")

    rows = store.query(Sql("SELECT count(*) AS n FROM events WHERE profile_id = $p", {"p": "x"}))

    assert rows == [(1,)]
    ((query, parameters, external),) = client.queries
    assert query == "SELECT COUNT(*) AS n FROM analytics.events WHERE profile_id = {p: String}"
    assert parameters == {"p": "x"} and external is None
    assert client.commands[0][0] == "CREATE DATABASE IF NOT EXISTS analytics"


def test_server_appends_send_the_rows_as_external_data() -> None:
    client = FakeClient()
    store = ClickHouseStore(ServerBackend(client), database="analytics")

    store.append("events", event_table([event_row()]))

    statement, _, external = client.commands[-1]
    assert statement.startswith("INSERT INTO analytics.event_rows (profile_id, event_uuid")
    assert statement.endswith("FROM _input0")
    (upload,) = external.files
    assert upload.name == "_input0" and upload.fmt == "ArrowStream"
    assert "visitor_key Nullable(UInt64)" in upload.structure
    assert "ts Nullable(DateTime64(6, 'UTC'))" in upload.structure


def test_a_second_chdb_path_in_one_process_is_refused() -> None:
    chdb_session(str(chdb_path()))

    with pytest.raises(InvalidParameter):
        chdb_session(str(chdb_path() / "elsewhere"))


def test_database_names_are_checked() -> None:
    with pytest.raises(InvalidParameter):
        ClickHouseStore(ServerBackend(FakeClient()), database="x; DROP")
