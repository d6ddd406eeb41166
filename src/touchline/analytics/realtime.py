"""Visitors online: distinct visitors whose browser sent an event in the last five minutes
(the spec's realtime window; the dashboard polls it every 30 seconds, §9 #48)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.store.base import EventStore, Sql

WINDOW: Final = timedelta(minutes=5)


def realtime_sql(profile_id: str, now: datetime) -> Sql:
    return Sql(
        """SELECT count(DISTINCT visitor_key) FROM events
WHERE profile_id = $profile AND ts >= $since AND list_contains($origins, origin)""",
        {
            "profile": profile_id,
            "since": now - WINDOW,
            "origins": sorted(FIRST_PARTY_ORIGINS),
        },
    )


def visitors_online(store: EventStore, *, profile_id: str, now: datetime) -> int:
    """Browser events timed in the five minutes before `now` (server-side events, such as
    payments, are nobody's presence on the site)."""
    [(count,)] = store.query(realtime_sql(profile_id, now))
    return int(count or 0)
