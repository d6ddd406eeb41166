"""Scheduled syncs inside the server: an APScheduler job looks for active connections whose
connector's interval has passed since their last run, and syncs them one at a time."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from touchline.connectors import registry
from touchline.connectors.base import HttpOptions
from touchline.connectors.service import Submit, SyncReport, run_sync
from touchline.control.db import Database
from touchline.control.repos import connections
from touchline.control.repos.connections import ConnectionRecord
from touchline.control.secrets import SecretBox
from touchline.errors import TouchlineError

log = logging.getLogger(__name__)


class SyncScheduler:
    """Owns one background scheduler thread; `stop()` lets the running sync finish its page."""

    def __init__(
        self,
        *,
        database: Database,
        box: SecretBox,
        submit: Submit,
        http: HttpOptions,
        check_seconds: float,
    ) -> None:
        self.database = database
        self.box = box
        self.submit = submit
        self.http = http
        self.check_seconds = check_seconds
        self._stop = threading.Event()
        self._scheduler = BackgroundScheduler(timezone=UTC)

    def start(self) -> None:
        self._scheduler.add_job(
            self.run_due,
            "interval",
            seconds=self.check_seconds,
            next_run_time=datetime.now(UTC) + timedelta(seconds=min(self.check_seconds, 5)),
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.start()

    def stop(self) -> None:
        self._stop.set()
        self._scheduler.shutdown(wait=True)

    def run_due(self, now: datetime | None = None) -> list[SyncReport]:
        """Sync every connection that is due; one failing connection never stops the others."""
        now = now or datetime.now(UTC)
        with self.database.read() as session:
            candidates = connections.list_active(session)
        reports = []
        for record in candidates:
            if self._stop.is_set():
                break
            if not due(record, now):
                continue
            try:
                reports.append(
                    run_sync(
                        database=self.database,
                        box=self.box,
                        connection_id=record.id,
                        submit=self.submit,
                        http=self.http,
                        stop=self._stop,
                    )
                )
            except TouchlineError as error:
                log.warning("scheduled sync of %s failed: %s", record.id, error.message)
        return reports


def due(record: ConnectionRecord, now: datetime) -> bool:
    """Whether the connector syncs and its interval has passed since the last start."""
    try:
        spec = registry.spec(record.provider)
    except TouchlineError:
        return False
    if not spec.syncs({*record.secret_names, *record.config}):
        return False
    started = record.last_sync_started_at
    return started is None or now - started >= timedelta(minutes=spec.sync_interval_minutes)
