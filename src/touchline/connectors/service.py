"""Running connectors: connect (validate and store a connection), receive a webhook, run a
sync page by page (saving each cursor only once the page is durable) and import a file."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import BinaryIO

from touchline.connectors import registry
from touchline.connectors.base import (
    Connection,
    ConnectorSpec,
    HttpOptions,
    Provider,
    ProviderError,
    WebhookRejected,
    WebhookRequest,
)
from touchline.control.db import Database
from touchline.control.repos import audit, connections, profiles
from touchline.control.repos.connections import ConnectionRecord, Health
from touchline.control.secrets import SecretBox
from touchline.errors import InvalidParameter, NotFound
from touchline.ingest.context import ProfileContext
from touchline.ingest.importer import ImportReport
from touchline.ingest.protocol import RawEvent

log = logging.getLogger(__name__)

# Appends events durably for a profile with an origin: the server's or the CLI's spool.
Submit = Callable[[ProfileContext, str, Sequence[RawEvent]], ImportReport]


def webhook_origin(provider: str) -> str:
    return f"webhook:{provider}"


def sync_origin(provider: str) -> str:
    """Syncs and file imports of a provider: never sessions, never traffic."""
    return f"sync:{provider}"


def webhook_path(provider: str, connection_id: str) -> str:
    return f"/webhooks/{provider}/{connection_id}"


def connect(
    *,
    database: Database,
    box: SecretBox,
    provider: str,
    profile_id: str,
    values: Mapping[str, str],
    actor: str,
    connection_id: str | None = None,
) -> ConnectionRecord:
    """Validate `values` (option key → value) against the connector and store them: secrets
    sealed, the rest as config. With `connection_id`, update that connection instead (new
    credentials; same id, webhook URL and cursors)."""
    spec = registry.spec(provider)
    with database.transaction() as session:
        if connection_id is not None:
            current = connections.get(session, connection_id)
            if current.profile_id != profile_id or current.provider != spec.provider:
                raise NotFound(f"connection {connection_id} not found for this profile")
            config, secrets = split_options(spec, values, existing=current)
            return connections.reconnect(
                session, box=box, connection_id=connection_id, config=config,
                secrets=secrets, actor=actor,
            )  # fmt: skip
        config, secrets = split_options(spec, values)
        return connections.create(
            session, box=box, profile_id=profile_id, provider=spec.provider.value,
            config=config, secrets=secrets, actor=actor,
        )  # fmt: skip


def split_options(
    spec: ConnectorSpec, values: Mapping[str, str], existing: ConnectionRecord | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """(config, secrets) from the given options. Unknown options are refused; required ones
    must be given (or already stored, when updating); a switch is "true" or "false"."""
    given = {key: value for key, value in values.items() if value}
    unknown = sorted(key for key in given if spec.option(key) is None)
    if unknown:
        flags = ", ".join("--" + key.replace("_", "-") for key in unknown)
        accepted = ", ".join("--" + o.flag for o in spec.options) or "none"
        raise InvalidParameter(f"{spec.title} does not take {flags} (it takes: {accepted})")
    stored = set(existing.config) | set(existing.secret_names) if existing else set()
    missing = [o for o in spec.options if o.required and o.key not in given.keys() | stored]
    if missing:
        raise InvalidParameter(f"{spec.title} needs " + ", ".join("--" + o.flag for o in missing))
    for option in spec.options:
        if option.switch and given.get(option.key, "true") not in ("true", "false"):
            raise InvalidParameter(f'--{option.flag} is on or off: "true" or "false"')
    secret_keys = {o.key for o in spec.options if o.secret}
    config = {k: v for k, v in given.items() if k not in secret_keys}
    secrets = {k: v for k, v in given.items() if k in secret_keys}
    return config, secrets


def connection_of(record: ConnectionRecord, database: Database | None = None) -> Connection:
    return Connection(
        connection_id=record.id,
        profile_id=record.profile_id,
        provider=Provider(record.provider),
        config=record.config,
        secrets=record.secrets,
        cursors=record.cursors,
        database=database,
    )


@dataclass(frozen=True, slots=True)
class Received:
    """A verified webhook: whose it is and what to store."""

    profile: ProfileContext
    connection_id: str
    origin: str
    events: list[RawEvent]


def receive_webhook(
    *,
    database: Database,
    box: SecretBox,
    provider: str,
    connection_id: str,
    request: WebhookRequest,
    http: HttpOptions,
) -> Received:
    """Find the connection, let its connector verify and map the request. An unknown or
    disabled connection is a 404; a refused signature is logged in the audit log and
    re-raised (401); nothing else is stored for either."""
    spec = _webhook_spec(provider)
    with database.read() as session:
        try:
            record = connections.open_(session, box=box, connection_id=connection_id)
        except NotFound:
            record = None
        if record is None or record.provider != spec.provider or not record.active:
            raise NotFound("unknown webhook endpoint")
        profile = profiles.get(session, record.profile_id).context()
    assert spec.receive is not None
    try:
        events = spec.receive(connection_of(record, database), request, http)
    except WebhookRejected as error:
        _audit_rejection(database, record, error)
        raise
    return Received(profile, record.id, webhook_origin(provider), events)


def webhook_stored(*, database: Database, received: Received, accepted: int) -> None:
    with database.transaction() as session:
        connections.webhook_received(
            session, connection_id=received.connection_id, events=accepted, now=_now()
        )


def _webhook_spec(provider: str) -> ConnectorSpec:
    try:
        spec = registry.spec(provider)
    except InvalidParameter:
        raise NotFound("unknown webhook endpoint") from None
    if spec.receive is None:
        raise NotFound(f"{spec.title} has no webhooks")
    return spec


def _audit_rejection(database: Database, record: ConnectionRecord, error: WebhookRejected) -> None:
    log.warning("webhook refused for connection %s: %s", record.id, error.message)
    with database.transaction() as session:
        workspace_id = profiles.get(session, record.profile_id).workspace_id
        audit.record(
            session,
            actor=f"webhook:{record.provider}",
            action=audit.AuditAction.WEBHOOK_REJECTED,
            target_type="connection",
            target_id=record.id,
            workspace_id=workspace_id,
            details={"reason": error.message[:200]},
        )


@dataclass(frozen=True, slots=True)
class SyncReport:
    connection_id: str
    provider: str
    pages: int
    events: int
    health: Health
    error: str | None = None


def run_sync(
    *,
    database: Database,
    box: SecretBox,
    connection_id: str,
    submit: Submit,
    http: HttpOptions,
    since: date | None = None,
    stop: threading.Event | None = None,
) -> SyncReport:
    """Pull everything new: page by page, each page made durable before its cursor is saved,
    so a crash or a provider failure resumes after the last page kept, never skipping or
    doubling (event ids are deterministic). The outcome becomes the connection's health.
    `stop` (server shutdown) ends the run after the page in hand."""
    with database.transaction() as session:
        record = connections.open_(session, box=box, connection_id=connection_id)
        profile = profiles.get(session, record.profile_id).context()
        spec = _sync_spec(record)
        connections.sync_started(session, connection_id=record.id, now=_now())
    assert spec.sync is not None
    pages = events = 0
    health, error = Health.OK, None
    try:
        for page in spec.sync(connection_of(record, database), since=since, http=http):
            events += submit(profile, sync_origin(record.provider), page.events).imported
            pages += 1
            if page.cursor is not None:
                with database.transaction() as session:
                    connections.save_cursor(
                        session, connection_id=record.id, stream=page.stream, cursor=page.cursor
                    )
            if stop is not None and stop.is_set():
                break
    except ProviderError as failure:
        health, error = Health(failure.health), failure.message
        log.warning("sync of connection %s stopped: %s", record.id, failure.message)
    with database.transaction() as session:
        connections.sync_finished(
            session, connection_id=record.id, now=_now(), events=events, health=health,
            error=error,
        )  # fmt: skip
    return SyncReport(record.id, record.provider, pages, events, health, error)


def _sync_spec(record: ConnectionRecord) -> ConnectorSpec:
    spec = registry.spec(record.provider)
    if spec.sync is None:
        raise InvalidParameter(f"{spec.title} has nothing to sync (it sends webhooks)")
    if not spec.syncs({*record.secret_names, *record.config}):
        flags = ", ".join("--" + key.replace("_", "-") for key in spec.sync_needs)
        raise InvalidParameter(f"{spec.title} syncs only with {flags} set on the connection")
    return spec


def import_file(
    *, database: Database, kind: str, handle: BinaryIO, profile_id: str, submit: Submit
) -> ImportReport:
    """`touchline import KIND FILE`: a provider's export through its importer, as a sync."""
    spec, importer = registry.importer(kind)
    with database.read() as session:
        profile = profiles.get(session, profile_id).context()
    events = list(importer(handle, default_currency=profile.currency))
    return submit(profile, sync_origin(spec.provider.value), events)


def _now() -> datetime:
    return datetime.now(UTC)
