"""`touchline recompute`: rebuild a profile's touches, data-driven fits and credits — on the
running server's writer thread when a server holds the event store, else right here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from touchline.analytics.stats import call_server
from touchline.control.db import Database
from touchline.control.repos import profiles
from touchline.identity.mirror import sync_identity_map
from touchline.ingest.context import ProfileContext
from touchline.ingest.importer import loader_busy
from touchline.planes import local_planes
from touchline.processing.conversions import reconvert
from touchline.processing.credits import recompute_credits
from touchline.processing.sessions import recompute_sessions
from touchline.processing.touches import update_touches
from touchline.settings import Settings
from touchline.store.base import EventStore

RECOMPUTE_PATH: Final = "/internal/recompute"
TIMEOUT_SECONDS: Final = 3600
Progress = Callable[[str], None]


def recompute_profile(
    *,
    database: Database,
    store: EventStore,
    profile: ProfileContext,
    progress: Progress | None = None,
) -> dict[str, Any]:
    say = progress or (lambda _step: None)
    say("sessions")  # engagement scores of sessions stored before they existed
    recompute_sessions(store=store, profile=profile)
    say("mirroring identity changes")
    sync_identity_map(database=database, store=store)  # e.g. a CLI unmerge since the last load
    say("conversion values at current rates")  # e.g. after `touchline import fx-rates`
    reconverted = reconvert(database=database, store=store, profile=profile)
    say("synthetic and impression touches")
    touches = update_touches(store=store, profiles={profile.profile_id: profile})
    run = recompute_credits(store=store, profile=profile, progress=say)
    return {
        "profile_id": profile.profile_id,
        "touches_added": touches,
        "conversions_revalued": reconverted,
        "conversions": run.conversions,
        "credit_rows": run.rows,
    }


def recompute(
    *, settings: Settings, profile_id: str, progress: Progress | None = None
) -> dict[str, Any]:
    """For the CLI: ask the running server, or open both planes here."""
    if loader_busy(settings.spool_dir):
        if progress:
            progress("asking the running server")
        return ask_server(settings, profile_id)
    with local_planes(settings) as (database, store):
        with database.read() as session:
            profile = profiles.get(session, profile_id).context()
        return recompute_profile(database=database, store=store, profile=profile, progress=progress)


def ask_server(settings: Settings, profile_id: str) -> dict[str, Any]:
    return call_server(
        settings, RECOMPUTE_PATH, {"profile": profile_id}, method="POST", timeout=TIMEOUT_SECONDS
    )
