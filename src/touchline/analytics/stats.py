"""The traffic summary wherever the event store is: read directly when no server holds it, or
asked of the running server (DuckDB locks its file to one process) via `GET /internal/stats`.
"""

from __future__ import annotations

import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Final

from touchline import errors
from touchline.analytics.traffic import run_summary
from touchline.control.db import Database
from touchline.control.repos import profiles
from touchline.errors import TouchlineError, Unauthorized, Unavailable
from touchline.ingest.importer import loader_busy
from touchline.planes import local_planes
from touchline.runtime import SERVER_TOKEN_FILE, SERVER_URL_FILE, loopback_url
from touchline.settings import Settings
from touchline.store.base import EventStore

STATS_PATH: Final = "/internal/stats"
TIMEOUT_SECONDS: Final = 30.0

ERRORS: Final[dict[str, type[TouchlineError]]] = {
    cls.code: cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, TouchlineError)
}


def traffic_stats(
    *, store: EventStore, database: Database, profile_id: str, date_from: str, date_to: str
) -> dict[str, Any]:
    """The summary JSON for a profile's dates (its timezone). What `/internal/stats` answers;
    raises `NotFound` for an unknown profile and 400-class errors for bad dates."""
    with database.read() as session:
        profile = profiles.get(session, profile_id)
    return run_summary(
        store=store,
        profile_id=profile.id,
        timezone=profile.timezone,
        date_from=date_from,
        date_to=date_to,
    )


def fetch_traffic_stats(
    *, settings: Settings, profile_id: str, date_from: str, date_to: str
) -> dict[str, Any]:
    """For the CLI: ask the running server when its loader holds the spool (it owns the event
    store then), otherwise open the control plane and the event store here."""
    if loader_busy(settings.spool_dir):
        return ask_server(settings, profile_id=profile_id, date_from=date_from, date_to=date_to)
    with local_planes(settings) as (database, store):
        return traffic_stats(
            store=store,
            database=database,
            profile_id=profile_id,
            date_from=date_from,
            date_to=date_to,
        )


def ask_server(
    settings: Settings, *, profile_id: str, date_from: str, date_to: str
) -> dict[str, Any]:
    """`GET /internal/stats` on the server of this data directory, with its token."""
    query = {"profile": profile_id, "from": date_from, "to": date_to}
    return call_server(settings, STATS_PATH, query)


def call_server(
    settings: Settings,
    path: str,
    query: dict[str, str],
    *,
    method: str = "GET",
    timeout: float = TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """An internal endpoint of the server of this data directory, with its token; its error
    envelope comes back as the matching TouchlineError."""
    request = urllib.request.Request(
        f"{server_url(settings)}{path}?{urllib.parse.urlencode(query)}",
        method=method,
        headers={"Authorization": f"Bearer {server_token(settings.data_dir)}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer
    except urllib.error.HTTPError as error:
        raise error_of(error.code, error.read()) from None
    except OSError as error:
        url = server_url(settings)
        raise Unavailable(f"the running server did not answer at {url}: {error}") from None


def server_url(settings: Settings) -> str:
    """Where the server of this data directory listens: the address it recorded at start
    (it may have been started with `--port`), else the one the settings give."""
    try:
        recorded = (settings.data_dir / SERVER_URL_FILE).read_text().strip()
    except OSError:
        recorded = ""
    return recorded or loopback_url(settings)


def server_token(data_dir: Path) -> str:
    try:
        return (data_dir / SERVER_TOKEN_FILE).read_text().strip()
    except OSError:
        raise Unavailable("a server holds the event store but its token is missing") from None


def check_token(presented: str, expected: str) -> None:
    """For the server's route: `Authorization: Bearer <token>` must carry the server token."""
    scheme, _, token = presented.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
        raise Unauthorized("internal endpoint: missing or wrong server token")


def error_of(status: int, body: bytes) -> TouchlineError:
    """The server's error envelope as the same error here (so the CLI exits alike)."""
    try:
        detail = json.loads(body)["error"]
        return ERRORS.get(detail["code"], TouchlineError)(str(detail["message"]))
    except (ValueError, KeyError, TypeError):
        return TouchlineError(f"the server answered {status}")
