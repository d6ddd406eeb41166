"""Backfill with an API key: charges listed page by page (newest first), each page's cursor the
resume point. A finished run starts the next one at the newest charge it saw; the overlap is
free (event ids are deterministic)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

import orjson

from touchline.connectors.base import Connection, HttpOptions, Page
from touchline.connectors.payments import PaymentFact, bound_event
from touchline.connectors.stripe import mapping
from touchline.connectors.stripe.client import StripeClient
from touchline.ingest.protocol import RawEvent

log = logging.getLogger(__name__)

STREAM: Final = "charges"
FIRST_SYNC_DAYS: Final = 90
SOURCE: Final = {"source_event": "sync"}


@dataclass(frozen=True, slots=True)
class Cursor:
    """Charges created at or after `created_gte`; mid-run, those after `starting_after`;
    `newest` is the newest creation time seen in the run so far."""

    created_gte: int
    starting_after: str = ""
    newest: int = 0

    def encode(self) -> str:
        return orjson.dumps(
            {
                "created_gte": self.created_gte,
                "starting_after": self.starting_after,
                "newest": self.newest,
            }
        ).decode()

    @classmethod
    def decode(cls, text: str) -> Cursor:
        value = orjson.loads(text)
        return cls(int(value["created_gte"]), str(value.get("starting_after", "")),
                   int(value.get("newest", 0)))  # fmt: skip


def sync(connection: Connection, *, since: date | None, http: HttpOptions) -> Iterator[Page]:
    cursor = start(connection.cursors.get(STREAM), since=since, now=http.clock())
    with StripeClient(connection, http) as client:
        while True:
            page = client.charges(
                created_gte=cursor.created_gte, starting_after=cursor.starting_after
            )
            newest = max([cursor.newest, *(int(c.get("created") or 0) for c in page.charges)])
            events = [e for charge in page.charges for e in charge_events(connection, charge)]
            if page.has_more and page.charges:
                cursor = Cursor(cursor.created_gte, str(page.charges[-1]["id"]), newest)
                yield Page(STREAM, events, cursor=cursor.encode())
                continue
            done = Cursor(newest or cursor.created_gte)
            yield Page(STREAM, events, cursor=done.encode())
            return


def start(saved: str | None, *, since: date | None, now: float) -> Cursor:
    """`--since` restarts from that day; else the saved cursor; else the last 90 days."""
    if since is not None:
        return Cursor(int(datetime.combine(since, time(0), tzinfo=UTC).timestamp()))
    if saved:
        return Cursor.decode(saved)
    first = datetime.fromtimestamp(now, UTC) - timedelta(days=FIRST_SYNC_DAYS)
    return Cursor(int(first.timestamp()))


def charge_events(connection: Connection, charge: dict[str, Any]) -> list[RawEvent]:
    """A listed charge's payment and refunds (test-mode charges are skipped, as webhooks)."""
    if charge.get("livemode") is not True:
        return []
    try:
        facts = _facts(charge)
    except (KeyError, ValueError, TypeError) as error:
        log.warning("stripe sync: charge %s not mapped: %r", charge.get("id"), error)
        return []
    return [bound_event(connection, fact) for fact in facts]


def _facts(charge: dict[str, Any]) -> list[PaymentFact]:
    at = datetime.fromtimestamp(int(charge["created"]), UTC)
    facts = mapping.charge_payment(charge, at=at, details=SOURCE)
    refunds = mapping.listed_refunds(charge)
    if refunds is not None:
        facts += mapping.refund_facts(charge, refunds, details=SOURCE)
    else:
        facts += mapping.refunded_increment(charge, previous={}, at=at, details=SOURCE)
    return facts
