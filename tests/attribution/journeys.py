"""Build attribution scenarios through the real ingest path: a workspace and profile in the
control plane, collect-shaped events imported into the spool, loaded with the after-load steps."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from touchline.control.db import Database
from touchline.control.repos import profiles, workspaces
from touchline.ingest.context import ProfileContext
from touchline.ingest.importer import import_events, load_if_idle
from touchline.ingest.protocol import EventType, Identity, RawEvent, Revenue
from touchline.settings import Settings

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15"  # noqa: E501
_ids = itertools.count(1)


@dataclass
class World:
    settings: Settings
    profile: ProfileContext

    def send(self, *events: RawEvent, origin: str = "import") -> None:
        """Import and load; `origin="webhook:test"` makes server-side events."""
        report = import_events(
            settings=self.settings, profile=self.profile, events=events, origin=origin
        )
        assert report.imported == len(events), report
        assert load_if_idle(self.settings) is not None


def world(tmp_path: Path, *, currency: str = "USD", timezone: str = "UTC") -> World:
    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_data_dir()
    database = Database.open(settings)
    database.migrate()
    with database.transaction() as session:
        workspace = workspaces.create(session, name="W", actor="test")
        record = profiles.create(
            session,
            workspace_id=workspace.id,
            name="P",
            currency=currency,
            timezone=timezone,
            actor="test",
        )
    database.close()
    return World(settings, record.context())


def visit(
    anon: str,
    at: datetime,
    *,
    url: str = "https://shop.example/",
    referrer: str = "",
    name: str = "",
    type: str = "page_view",
    **fields: Any,
) -> RawEvent:
    return RawEvent(
        event_id=f"e{next(_ids)}",
        type=EventType(type),
        name=name or type,
        anonymous_id=anon,
        timestamp=at.isoformat(),
        url=url,
        referrer=referrer,
        ip="203.0.113.9",
        user_agent=BROWSER,
        **fields,
    )


def payment(
    at: datetime,
    amount: float,
    *,
    ref: str,
    currency: str = "USD",
    email: str = "",
    name: str = "payment_received",
    **payload: Any,
) -> RawEvent:
    """A server-side payment (send it with origin webhook:…), as the connectors will emit."""
    return RawEvent(
        event_id=f"pay-{next(_ids)}",
        type=EventType.TRACK,
        name=name,
        anonymous_id="server",
        timestamp=at.isoformat(),
        identity=Identity(email=email) if email else None,
        revenue=Revenue(amount=amount, currency=currency),
        payload={"provider_ref": ref, **payload},
    )


def days(n: float) -> timedelta:
    return timedelta(days=n)
