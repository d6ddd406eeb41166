"""`open_store(url)`: the one way to an engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import clickhouse_connect
import pytest
from tests.store.engines import chdb_path

from touchline.errors import InvalidParameter
from touchline.store import open_store
from touchline.store.base import Engine, Sql
from touchline.store.clickhouse import ClickHouseStore
from touchline.store.duckdb import DuckDBStore


def test_duckdb_urls_open_a_file(tmp_path: Path) -> None:
    store = open_store(f"duckdb://{tmp_path / 'sub' / 'events.duckdb'}")

    assert isinstance(store, DuckDBStore) and store.engine is Engine.DUCKDB
    assert store.query(Sql("SELECT 1")) == [(1,)]
    store.close()
    assert (tmp_path / "sub" / "events.duckdb").exists()


def test_chdb_urls_name_a_database() -> None:
    store = open_store(f"chdb://{chdb_path()}?database=t_url")

    assert isinstance(store, ClickHouseStore) and store.database == "t_url"
    store.execute_native("DROP DATABASE t_url")


def test_clickhouse_urls_reach_clickhouse_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class Client:
        def command(self, *args: Any, **kwargs: Any) -> None:
            return None

    def get_client(**kwargs: Any) -> Client:
        seen.update(kwargs)
        return Client()

    monkeypatch.setattr(clickhouse_connect, "get_client", get_client)
    store = open_store("clickhouses://ana:s%40cret@ch.example:9440/marketing")

    assert isinstance(store, ClickHouseStore) and store.database == "marketing"
    assert seen == {
        "host": "ch.example",
        "port": 9440,
        "username": "ana",
        "password": "s@cret",
        "secure": True,
    }


@pytest.mark.parametrize("url", ["events.duckdb", "mysql://x/y"])
def test_unknown_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidParameter):
        open_store(url)
