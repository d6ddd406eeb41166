"""Walking every page of a paginated endpoint: cursors (`customers`, `visitors`:
`pagination.cursor` = `time|id`), offsets (a journey's events), session batches (`/contacts`:
`records_processed`, `has_more`) and page numbers (customer profiles)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from touchline.client.answers import Answer

Fetch = Callable[[dict[str, Any]], Answer]


def by_cursor(fetch: Fetch) -> Iterator[Any]:
    """Rows of every page; the next page's `cursor_time`/`cursor_id` split from `cursor`."""
    cursor: dict[str, Any] = {}
    while True:
        answer = fetch(cursor)
        yield from answer.data or []
        pagination = answer.pagination
        if not pagination.get("has_next") or not pagination.get("cursor"):
            return
        cursor_time, _, cursor_id = str(pagination["cursor"]).partition("|")
        cursor = {"cursor_time": cursor_time, "cursor_id": cursor_id}


def by_offset(fetch: Fetch, *, items: str, total: str, page_size: int) -> Iterator[Any]:
    """Items of `data[items]` page by page until `data[total]` are read (or a page is empty)."""
    offset = 0
    while True:
        data = fetch({"offset": offset, "limit": page_size}).data or {}
        page = data.get(items) or []
        yield from page
        offset += len(page)
        if not page or offset >= int(data.get(total) or 0):
            return


def by_records(fetch: Fetch) -> Iterator[Any]:
    """AttributionHub contacts: pass the last `records_processed` as the next `offset`."""
    offset = 0
    while True:
        body = fetch({"offset": offset}).body
        yield from body.get("contacts") or []
        pagination = body.get("pagination") or {}
        processed = int(pagination.get("records_processed") or 0)
        if not pagination.get("has_more") or processed == 0:
            return
        # Cumulative (the next offset) as the page says; a per-batch count still advances.
        offset = processed if processed > offset else offset + processed


def by_page(fetch: Fetch, *, page_size: int) -> Iterator[Any]:
    """Customer profiles: pages 1, 2, … while `meta.has_more` (or until one comes back short)."""
    page = 1
    while True:
        answer = fetch({"page": page, "limit": page_size})
        rows = answer.data or []
        yield from rows
        more = answer.meta.get("has_more")
        if not rows or (more is False) or (more is None and len(rows) < page_size):
            return
        page += 1
