"""Backfill and catch-up: the payment search by last update (oldest first, offset paging), so
refunds and chargebacks of older payments come too. Each page's cursor is the resume point; a
finished run starts the next one at the newest update it saw."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

import orjson

from touchline.connectors.base import Connection, HttpOptions, Page
from touchline.connectors.mercadopago.client import MercadoPagoClient
from touchline.connectors.mercadopago.webhooks import payment_events

STREAM: Final = "payments"
FIRST_SYNC_DAYS: Final = 90
MAX_OFFSET: Final = 10_000  # the search refuses deeper offsets: restart from the newest seen


@dataclass(frozen=True, slots=True)
class Cursor:
    """Payments updated at or after `updated_from`; mid-run, those past `offset`; `newest` is
    the newest update seen in the run so far."""

    updated_from: datetime
    offset: int = 0
    newest: datetime | None = None

    def encode(self) -> str:
        newest = self.newest.isoformat() if self.newest else ""
        value = {"updated_from": self.updated_from.isoformat(), "offset": self.offset,
                 "newest": newest}  # fmt: skip
        return orjson.dumps(value).decode()

    @classmethod
    def decode(cls, text: str) -> Cursor:
        value = orjson.loads(text)
        newest = value.get("newest") or ""
        return cls(datetime.fromisoformat(value["updated_from"]), int(value.get("offset", 0)),
                   datetime.fromisoformat(newest) if newest else None)  # fmt: skip


def sync(connection: Connection, *, since: date | None, http: HttpOptions) -> Iterator[Page]:
    cursor = start(connection.cursors.get(STREAM), since=since, now=http.clock())
    with MercadoPagoClient(connection, http) as client:
        while True:
            page = client.search(updated_from=cursor.updated_from, offset=cursor.offset)
            events = [e for p in page.payments for e in payment_events(connection, p, "sync")]
            newest = _newest(cursor.newest, page.payments)
            offset = cursor.offset + len(page.payments)
            if page.payments and offset < page.total and offset < MAX_OFFSET:
                cursor = Cursor(cursor.updated_from, offset, newest)
                yield Page(STREAM, events, cursor=cursor.encode())
                continue
            yield Page(STREAM, events, cursor=Cursor(newest or cursor.updated_from).encode())
            return


def start(saved: str | None, *, since: date | None, now: float) -> Cursor:
    """`--since` restarts from that day; else the saved cursor; else the last 90 days."""
    if since is not None:
        return Cursor(datetime.combine(since, time(0), tzinfo=UTC))
    if saved:
        return Cursor.decode(saved)
    return Cursor(datetime.fromtimestamp(now, UTC) - timedelta(days=FIRST_SYNC_DAYS))


def _newest(current: datetime | None, payments: list[dict[str, object]]) -> datetime | None:
    times = [current] if current else []
    for payment in payments:
        try:
            times.append(datetime.fromisoformat(str(payment.get("date_last_updated"))))
        except ValueError:
            continue
    aware = [t for t in times if t.tzinfo is not None]
    return max(aware) if aware else None
