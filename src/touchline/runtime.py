"""The running server's parts, opened from Settings in the app lifespan and closed at
shutdown: control plane, event store, spool, enrichment pipeline, loader thread, sync
scheduler, server token.
"""

from __future__ import annotations

import contextlib
import gc
import os
import secrets
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from touchline.analytics.cache import AnswerCache
from touchline.api.rate_limit import RateLimiter
from touchline.connectors.base import HttpOptions
from touchline.control.db import Database
from touchline.control.profile_directory import ProfileDirectory
from touchline.control.secrets import SecretBox
from touchline.control.tracking_cache import TrackingKeyCache, tracking_key_cache
from touchline.ingest.context import RequestContext
from touchline.ingest.loader import Loader
from touchline.ingest.pipeline import Pipeline, build_pipeline, encode_rows
from touchline.ingest.protocol import RawEvent
from touchline.ingest.server_events import SpoolSubmitter
from touchline.ingest.spool import Spool
from touchline.jobs.sync_scheduler import SyncScheduler
from touchline.processing.after_load import after_load_steps, catch_up, upkeep
from touchline.settings import Settings
from touchline.store import open_store
from touchline.store.base import EventStore

SERVER_TOKEN_FILE: Final = "server.token"
SERVER_URL_FILE: Final = "server.url"  # where this data directory's server listens


@dataclass(slots=True)
class Runtime:
    """What a request needs while the server runs. `start()` opens it, `stop()` closes it."""

    settings: Settings
    database: Database
    store: EventStore
    spool: Spool
    pipeline: Pipeline
    loader: Loader
    tracking_keys: TrackingKeyCache
    token: str
    secret_box: SecretBox
    http: HttpOptions
    scheduler: SyncScheduler | None
    rate_limiter: RateLimiter
    answers: AnswerCache

    @classmethod
    async def start(cls, settings: Settings) -> Runtime:
        """Migrate both planes, open the spool, start the loader, write the server token.
        If any step fails, what the earlier steps opened is closed again."""
        settings.ensure_data_dir()
        with ExitStack() as undo:
            database = Database.open(settings)
            undo.callback(database.close)
            database.migrate()
            store = open_store(settings.resolved_event_store_url)
            undo.callback(store.close)
            store.migrate()
            # A kill -9 between a loaded batch and its after-load steps leaves them undone.
            catch_up(database=database, store=store, profiles=ProfileDirectory(database))
            spool = Spool(settings.spool_dir, segment_bytes=settings.spool_segment_bytes)
            undo.callback(spool.close)
            pipeline = build_pipeline(settings)
            undo.callback(pipeline.close)
            loader = Loader(
                spool_dir=settings.spool_dir,
                store=store,
                batch_events=settings.loader_batch_events,
                after_load=after_load_steps(database, ProfileDirectory(database)),
                on_tick=upkeep(database, ProfileDirectory(database)),
            )
            loader.start(settings.loader_interval_seconds)
            undo.callback(loader.stop)
            box = SecretBox.from_settings(settings)
            http = HttpOptions()
            scheduler = None
            if settings.sync_scheduler:
                scheduler = SyncScheduler(
                    database=database,
                    box=box,
                    submit=SpoolSubmitter(pipeline=pipeline, spool=spool),
                    http=http,
                    check_seconds=settings.sync_check_seconds,
                )
                scheduler.start()
                undo.callback(scheduler.stop)
            token = write_server_token(settings.data_dir)
            (settings.data_dir / SERVER_URL_FILE).write_text(loopback_url(settings))
            undo.pop_all()
        freeze_long_lived_objects()
        return cls(
            settings=settings,
            database=database,
            store=store,
            spool=spool,
            pipeline=pipeline,
            loader=loader,
            tracking_keys=tracking_key_cache(database),
            token=token,
            secret_box=box,
            http=http,
            scheduler=scheduler,
            rate_limiter=RateLimiter(),
            answers=AnswerCache(ttl_seconds=settings.answer_cache_seconds),
        )

    async def stop(self) -> None:
        """Stop the loader (it finishes its batch), then close everything it used."""
        remove_server_token(self.settings.data_dir, self.token)
        gc.unfreeze()
        with ExitStack() as closing:  # every step runs even if one fails; last added, first run
            closing.callback(self.database.close)
            closing.callback(self.store.close)
            closing.callback(self.pipeline.close)
            closing.callback(self.spool.close)
            closing.callback(self.loader.stop)
            if self.scheduler is not None:
                closing.callback(self.scheduler.stop)

    async def ingest(self, events: Sequence[RawEvent], context: RequestContext) -> tuple[int, int]:
        """Enrich events and append them to the spool; returns (accepted, dropped) once the
        accepted ones are durable."""
        result = self.pipeline.run(events, context)
        if result.rows:
            await self.spool.append(encode_rows(result.rows))
        return len(result.rows), result.dropped.total()

    def ping_control_plane(self) -> None:
        self.database.ping()

    def ping_event_store(self) -> None:
        self.store.ping()

    def loader_lag_seconds(self) -> float:
        """Age of the oldest spooled event not loaded yet (a stuck loader shows up here)."""
        return self.loader.lag_seconds()


def freeze_long_lived_objects() -> None:
    """What is built by now (modules, parsers, geo readers, engines) lives as long as the
    server. Frozen, it is no longer scanned by full collections, which otherwise stall the
    event loop ~50 ms at a time (measured: T2 p99 81 ms without, 22 ms with). `stop()` thaws
    it, so a process that starts several runtimes (the tests) can still collect it."""
    gc.collect()
    gc.freeze()


def runtime_of(app: Any) -> Runtime | None:
    """The Runtime the lifespan stored on a Starlette app, or None outside the lifespan."""
    runtime = getattr(app.state, "runtime", None)
    return runtime if isinstance(runtime, Runtime) else None


def loopback_url(settings: Settings) -> str:
    """The URL a local client reaches a server bound as `settings` say."""
    host = settings.host
    if host in ("0.0.0.0", "::", ""):  # bound everywhere: reachable on loopback
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def write_server_token(data_dir: Path) -> str:
    """A fresh secret in `<data_dir>/server.token` (owner-only) for internal endpoints."""
    token = secrets.token_urlsafe(32)
    path = data_dir / SERVER_TOKEN_FILE
    partial = path.with_suffix(".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token)
    partial.replace(path)
    return token


def remove_server_token(data_dir: Path, token: str) -> None:
    """Remove the token file if it is still ours (another server may have replaced it)."""
    path = data_dir / SERVER_TOKEN_FILE
    with contextlib.suppress(FileNotFoundError):
        if path.read_text() == token:
            path.unlink()
