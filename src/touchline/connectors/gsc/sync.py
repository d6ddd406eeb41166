"""The Search Console sync: daily rows by query, page, country and device, a window of days
in chunks, each chunk paged by `startRow`; the cursor keeps the row reached inside a chunk,
then the last day done (re-read a few days back: Search Console finalizes days late)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from touchline.connectors.base import Connection, HttpOptions, Page
from touchline.connectors.gsc import mapping
from touchline.connectors.gsc.client import DIMENSIONS, ROW_LIMIT, Row, SearchConsoleClient
from touchline.connectors.report_window import Reach, resume
from touchline.ingest.protocol import RawEvent

log = logging.getLogger(__name__)

STREAM: Final = "keywords"
REACH: Final = Reach(initial_days=90, lookback_days=5)
CHUNK_DAYS: Final = 7
SEARCH_CONSOLE_ZONE: Final = ZoneInfo("America/Los_Angeles")  # its report days are Pacific


def sync(
    connection: Connection, *, since: date | None, http: HttpOptions, row_limit: int = ROW_LIMIT
) -> Iterator[Page]:
    today = datetime.fromtimestamp(http.clock(), UTC).astimezone(SEARCH_CONSOLE_ZONE).date()
    with SearchConsoleClient(connection, http) as client:
        window = resume(connection.cursors.get(STREAM), since=since, today=today, reach=REACH)
        for first, last in window.chunks(CHUNK_DAYS):
            resumed = window.position if first == window.start else ""
            start_row = int(resumed) if resumed.isdigit() else 0
            while True:
                rows = client.query(first, last, start_row=start_row, row_limit=row_limit)
                start_row += len(rows)
                more = len(rows) >= row_limit
                cursor = window.at(first, str(start_row)) if more else window.after(last)
                yield Page(STREAM, _events(rows, client.site), cursor)
                if not more:
                    break


def _events(rows: list[Row], site: str) -> list[RawEvent]:
    events = []
    for row in rows:
        try:
            events.append(mapping.keyword(row, dimensions=DIMENSIONS, site=site).record())
        except (ValueError, ArithmeticError) as error:
            log.warning("gsc: skipped a row of %s: %s", site, error)
    return events
