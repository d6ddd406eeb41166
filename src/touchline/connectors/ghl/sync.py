"""The GoHighLevel sync: contacts, then deals (with their pipelines' stage names), then
calendar appointments. Contacts and deals are read in passes over GHL's cursor (the stream
cursor is where an interrupted pass resumes); a finished pass leaves a floor, and the next
pass only turns what changed since into events. Calendars re-read a trailing window, so a
status change (showed, no-show, cancelled) reaches the appointment's record."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, TypeVar

import orjson

from touchline.connectors.base import Connection, HttpOptions, Page, ProviderError
from touchline.connectors.ghl import mapping
from touchline.connectors.ghl.client import GhlClient, Position
from touchline.connectors.ghl.payloads import Contact, Opportunity
from touchline.ingest.protocol import RawEvent

log = logging.getLogger(__name__)
CONTACTS: Final = "contacts"
DEALS: Final = "opportunities"
CALENDAR: Final = "calendar"
# A finished pass's floor is its start less this: GHL indexes changes with some delay.
RESCAN_MARGIN: Final = timedelta(days=1)
CALENDAR_LOOKBACK: Final = timedelta(days=30)  # statuses change after the appointment
CALENDAR_AHEAD: Final = timedelta(days=180)
FIRST_HISTORY: Final = timedelta(days=365)
Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class PassCursor:
    """A stream's cursor: `floor` (objects unchanged since were kept by an earlier pass),
    the running pass's start, and where it resumes (None: start a new pass)."""

    floor: datetime | None = None
    started: datetime | None = None
    after: Position | None = None

    @classmethod
    def parse(cls, text: str | None, since: date | None) -> PassCursor:
        """The stored cursor; `since` (a backfill) starts a new pass from that day instead."""
        if since is not None or not text:
            return cls(floor=_midnight(since) if since else None)
        data = orjson.loads(text)
        after = data.get("after")
        return cls(
            floor=_moment(data.get("floor")), started=_moment(data.get("started")),
            after=Position(str(after[0]), str(after[1])) if after else None,
        )  # fmt: skip

    def encode(self) -> str:
        after = [self.after.start_after, self.after.start_after_id] if self.after else None
        return orjson.dumps({"floor": _text(self.floor), "started": _text(self.started),
                             "after": after}).decode()  # fmt: skip


def sync(connection: Connection, *, since: date | None, http: HttpOptions) -> Iterator[Page]:
    if not connection.secrets.get("access_token"):
        log.info("ghl connection %s has no access token: webhooks only", connection.connection_id)
        return
    now = datetime.fromtimestamp(http.clock(), UTC)
    cursors = connection.cursors
    with GhlClient(connection, http) as client:
        yield from run_pass(
            CONTACTS, PassCursor.parse(cursors.get(CONTACTS), since), client.contacts,
            lambda contact: mapping.contact_events(contact, received=now), _contact_changed, now,
        )  # fmt: skip
        deals = DealMapper(client, connection)
        yield from run_pass(
            DEALS, PassCursor.parse(cursors.get(DEALS), since), client.opportunities,
            lambda deal: deals.events(deal, received=now), _deal_changed, now,
        )  # fmt: skip
        yield from calendar_pages(client, cursors.get(CALENDAR), since=since, now=now)


def run_pass(
    stream: str,
    cursor: PassCursor,
    fetch: Callable[[Position | None], tuple[list[Item], Position | None]],
    events_of: Callable[[Item], list[RawEvent]],
    changed_at: Callable[[Item], datetime | None],
    now: datetime,
) -> Iterator[Page]:
    """Pages of one pass; each page's cursor resumes after it, the last one sets the floor."""
    started, after = cursor.started or now, cursor.after
    while True:
        items, after = fetch(after)
        kept = [item for item in items if _since(changed_at(item), cursor.floor)]
        events = [event for item in kept for event in events_of(item)]
        if after is None:
            yield Page(stream, events, PassCursor(floor=started - RESCAN_MARGIN).encode())
            return
        yield Page(stream, events, PassCursor(cursor.floor, started, after).encode())


class DealMapper:
    """Deals to events with the location's stage names and deal currency (read once)."""

    def __init__(self, client: GhlClient, connection: Connection) -> None:
        self.stages = mapping.stage_index(client.pipelines())
        self.currency = deal_currency(client, connection)

    def events(self, deal: Opportunity, *, received: datetime) -> list[RawEvent]:
        stage = self.stages.get(deal.pipeline_stage_id)
        events = []
        if stage is None:
            log.warning("ghl deal %s is in unknown stage %s", deal.id, deal.pipeline_stage_id)
        else:
            events.append(
                mapping.stage_event(deal, stage, currency=self.currency, received=received)
            )
        status = mapping.status_event(deal, currency=self.currency, received=received)
        return events + ([status] if status is not None else [])


def deal_currency(client: GhlClient | None, connection: Connection) -> str:
    """Deal values' currency: the connection's `--currency`, else the location's own; ''
    when neither is known (the value is then kept in the payload, not counted)."""
    configured = connection.config.get("currency", "").strip().upper()
    if configured or client is None:
        return configured
    try:
        found = (client.location().currency or "").strip().upper()
    except ProviderError as error:  # an optional read: a missing scope must not stop a sync
        log.warning("ghl location currency unavailable: %s", error.message)
        return ""
    return found if len(found) == 3 and found.isalpha() else ""


def calendar_pages(
    client: GhlClient, cursor: str | None, *, since: date | None, now: datetime
) -> Iterator[Page]:
    """One page per calendar over [cursor or `since` or a year ago, now + 180 days); the last
    page moves the cursor to 30 days ago, the start of the next run's window."""
    start = _midnight(since) if since else (_from_ms(cursor) or now - FIRST_HISTORY)
    window = (_ms(start), _ms(now + CALENDAR_AHEAD))
    calendars = client.calendars()
    following = str(_ms(now - CALENDAR_LOOKBACK))
    for index, calendar in enumerate(calendars):
        found = client.calendar_events(calendar.id, start_ms=window[0], end_ms=window[1])
        events = [
            event for appointment in found
            for event in mapping.appointment_events(
                appointment, calendar_name=calendar.name, received=now)
        ]  # fmt: skip
        yield Page(CALENDAR, events, following if index == len(calendars) - 1 else None)
    if not calendars:
        yield Page(CALENDAR, [], following)


def _contact_changed(contact: Contact) -> datetime | None:
    return contact.date_updated or contact.date_added


def _deal_changed(deal: Opportunity) -> datetime | None:
    return deal.updated_at or deal.last_stage_change_at or deal.created_at


def _since(changed: datetime | None, floor: datetime | None) -> bool:
    return floor is None or changed is None or changed >= floor


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _moment(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def _text(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _from_ms(text: str | None) -> datetime | None:
    return datetime.fromtimestamp(int(text) / 1000, UTC) if text and text.isdigit() else None
