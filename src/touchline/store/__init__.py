"""The event plane: store interface, DuckDB and ClickHouse engines, dialect, schema.

`open_store(url)` is the one way in: `duckdb://PATH` (the default, a file in the data
directory), `chdb://PATH[?database=NAME]` (ClickHouse in-process) or
`clickhouse://USER:PASSWORD@HOST:PORT/DATABASE` (`clickhouses://` for TLS) for a server.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from touchline.errors import InvalidParameter
from touchline.store.base import EventStore

DEFAULT_CLICKHOUSE_DATABASE = "touchline"


def open_store(url: str) -> EventStore:
    """Open (not migrate) the event store the URL names."""
    scheme, _, rest = url.partition("://")
    if not rest:
        raise InvalidParameter(f"event store URL needs a scheme: {url!r}")
    if scheme == "duckdb":
        from touchline.store.duckdb import DuckDBStore

        return DuckDBStore(rest)
    if scheme == "chdb":
        from touchline.store.clickhouse import ChdbBackend, ClickHouseStore

        path, _, query = rest.partition("?")
        database = parse_qs(query).get("database", [DEFAULT_CLICKHOUSE_DATABASE])[0]
        return ClickHouseStore(ChdbBackend(path), database=database)
    if scheme in ("clickhouse", "clickhouses"):
        return _clickhouse_server(url)
    raise InvalidParameter(f"unknown event store scheme {scheme!r} (duckdb, chdb, clickhouse)")


def _clickhouse_server(url: str) -> EventStore:
    import clickhouse_connect

    from touchline.store.clickhouse import ClickHouseStore, ServerBackend

    parts = urlsplit(url)
    database = parts.path.strip("/") or DEFAULT_CLICKHOUSE_DATABASE
    secure = parts.scheme == "clickhouses"
    client = clickhouse_connect.get_client(
        host=parts.hostname or "localhost",
        port=parts.port or (8443 if secure else 8123),
        username=unquote(parts.username or "default"),
        password=unquote(parts.password or ""),
        secure=secure,
    )
    return ClickHouseStore(ServerBackend(client), database=database)
