"""Scheduled syncs: due connections run, others wait their connector's interval."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.attribution.journeys import World, world
from tests.connectors.fake import Script, fake_connector

from touchline.connectors import service
from touchline.connectors.base import HttpOptions
from touchline.control.db import Database
from touchline.control.repos import connections
from touchline.control.repos.connections import Health
from touchline.control.secrets import SecretBox
from touchline.ingest.server_events import spool_submitter
from touchline.jobs.sync_scheduler import SyncScheduler, due

__all__ = ["fake_connector"]


@pytest.fixture
def w(tmp_path: Path) -> World:
    return world(tmp_path)


@pytest.fixture
def scheduler(w: World) -> Iterator[SyncScheduler]:
    database = Database.open(w.settings)
    with spool_submitter(w.settings) as submit:
        yield SyncScheduler(
            database=database, box=SecretBox.from_settings(w.settings), submit=submit,
            http=HttpOptions(sleep=lambda _: None), check_seconds=60,
        )  # fmt: skip
    database.close()


def test_due_connections_sync_and_wait_their_interval_before_the_next_run(
    w: World, scheduler: SyncScheduler, fake_connector: Script
) -> None:
    fake_connector.pages = [["p1"]]
    record = service.connect(
        database=scheduler.database, box=scheduler.box, provider="stripe",
        profile_id=w.profile.profile_id, values={"webhook_secret": "s"}, actor="t",
    )  # fmt: skip
    assert due(record, datetime.now(UTC))
    [report] = scheduler.run_due()
    assert report.health is Health.OK and report.events == 1
    assert scheduler.run_due() == []  # the fake's interval is 15 minutes
    with scheduler.database.read() as session:
        synced = connections.get(session, record.id)
    assert not due(synced, datetime.now(UTC) + timedelta(minutes=14))
    assert due(synced, datetime.now(UTC) + timedelta(minutes=16))


def test_disabled_connections_are_never_synced(
    w: World, scheduler: SyncScheduler, fake_connector: Script
) -> None:
    record = service.connect(
        database=scheduler.database, box=scheduler.box, provider="stripe",
        profile_id=w.profile.profile_id, values={"webhook_secret": "s"}, actor="t",
    )  # fmt: skip
    with scheduler.database.transaction() as session:
        connections.disable(session, connection_id=record.id, actor="t")
    assert scheduler.run_due() == []
