"""`touchline connect PROVIDER`, `connections`, `sync PROVIDER` and `disconnect`: provider
connections with their secrets encrypted at rest and never printed back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

import typer

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.connectors import registry, service
from touchline.connectors.base import HttpOptions
from touchline.control.db import Database
from touchline.control.repos import connections
from touchline.control.repos.connections import ConnectionRecord, Health
from touchline.control.secrets import SecretBox
from touchline.errors import InvalidParameter, TouchlineError
from touchline.ingest import importer
from touchline.ingest.server_events import spool_submitter
from touchline.settings import Settings

CLI_ACTOR = "cli"
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ProfileOption = Annotated[str, typer.Option("--profile", help="Profile id.")]


def connect(
    ctx: typer.Context,
    provider: Annotated[
        str, typer.Argument(help="stripe, mercadopago, shopify, ghl, meta, google_ads or gsc.")
    ],
    profile: ProfileOption,
    webhook_secret: Annotated[str, typer.Option(help="Webhook signing secret.")] = "",
    api_key: Annotated[str, typer.Option(help="API key (Stripe sk_…).")] = "",
    access_token: Annotated[str, typer.Option(help="API access token.")] = "",
    refresh_token: Annotated[str, typer.Option(help="OAuth refresh token (Google).")] = "",
    client_id: Annotated[str, typer.Option(help="OAuth client id (Google).")] = "",
    client_secret: Annotated[str, typer.Option(help="OAuth client secret (Google).")] = "",
    developer_token: Annotated[str, typer.Option(help="Google Ads developer token.")] = "",
    shop: Annotated[str, typer.Option(help="Shopify shop domain (x.myshopify.com).")] = "",
    account_id: Annotated[str, typer.Option(help="Ad account id (Meta act_…).")] = "",
    customer_id: Annotated[str, typer.Option(help="Google Ads customer id.")] = "",
    login_customer_id: Annotated[str, typer.Option(help="Google Ads manager (MCC) id.")] = "",
    location_id: Annotated[str, typer.Option(help="GoHighLevel location (sub-account) id.")] = "",
    currency: Annotated[str, typer.Option(help="Currency of CRM deal values (GoHighLevel).")] = "",
    site_url: Annotated[str, typer.Option(help="Search Console property.")] = "",
    api_base: Annotated[str, typer.Option(help="Provider API base URL (proxies, tests).")] = "",
    paid_orders_as_cash: Annotated[
        bool | None,
        typer.Option(
            "--paid-orders-as-cash/--no-paid-orders-as-cash",
            help="Shopify: paid orders are cash (ROAS), refunds negative cash; off by default.",
        ),
    ] = None,
    connection: Annotated[
        str, typer.Option(help="Update this connection's credentials instead of adding one.")
    ] = "",
    as_json: JsonFlag = False,
) -> None:
    """Connect a provider to a profile and print its webhook URL. Secrets are encrypted with
    TOUCHLINE_SECRET_KEY (or the data directory's generated key) and never shown again."""
    settings = settings_of(ctx)
    values = {
        "webhook_secret": webhook_secret, "api_key": api_key, "access_token": access_token,
        "refresh_token": refresh_token, "client_id": client_id, "client_secret": client_secret,
        "developer_token": developer_token, "shop": shop, "account_id": account_id,
        "customer_id": customer_id, "login_customer_id": login_customer_id,
        "location_id": location_id, "currency": currency, "site_url": site_url,
        "api_base": api_base, "paid_orders_as_cash": _switch(paid_orders_as_cash),
    }  # fmt: skip
    with _database(settings) as database:
        record = service.connect(
            database=database, box=SecretBox.from_settings(settings), provider=provider,
            profile_id=profile, values=values, actor=CLI_ACTOR,
            connection_id=connection or None,
        )  # fmt: skip
    answer = connection_json(record, settings)
    if as_json:
        emit_json({"id": record.id, **answer})
        return
    stdout.print(f"Connected {provider}: connection {record.id}", soft_wrap=True)
    if answer["webhook_url"]:
        stdout.print(f"Webhook URL: {answer['webhook_url']}", soft_wrap=True, highlight=False)


def list_connections(ctx: typer.Context, profile: ProfileOption, as_json: JsonFlag = False) -> None:
    """A profile's connections: provider, health, last sync and last data received."""
    settings = settings_of(ctx)
    with _database(settings) as database, database.read() as session:
        rows = connections.list_for_profile(session, profile_id=profile)
    if as_json:
        emit_json([connection_json(row, settings) for row in rows])
        return
    if not rows:
        stdout.print("No connections. Add one with `touchline connect PROVIDER --profile ID`.")
    for row in rows:
        line = (
            f"{row.id}  {row.provider}  {row.status}  health: {row.health}  "
            f"last sync: {_when(row.last_sync_at)}  last data: {_when(row.last_data_at)}  "
            f"events: {row.events_received:,}"
        )
        stdout.print(line, soft_wrap=True, markup=False, highlight=False)
        if row.last_error:
            stdout.print(f"  last error: {row.last_error}", markup=False, soft_wrap=True)


def sync(
    ctx: typer.Context,
    provider: Annotated[str, typer.Argument(help="The provider to sync.")],
    profile: ProfileOption,
    since: Annotated[
        str | None, typer.Option(help="Backfill from this day (YYYY-MM-DD), cursors aside.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Sync every active connection of this provider in the profile now. Events go through
    the spool; a running server loads them, otherwise they are loaded before this returns."""
    settings = settings_of(ctx)
    start = _day(since)
    reports = []
    with _database(settings) as database, spool_submitter(settings) as submit:
        with database.read() as session:
            targets = connections.list_for_profile(
                session, profile_id=profile, provider=registry.spec(provider).provider.value
            )
        if not targets:
            raise InvalidParameter(f"profile {profile} has no {provider} connection")
        for target in (t for t in targets if t.active):
            reports.append(
                service.run_sync(
                    database=database,
                    box=SecretBox.from_settings(settings),
                    connection_id=target.id,
                    submit=submit,
                    http=HttpOptions(),
                    since=start,
                )
            )
    loaded = importer.load_if_idle(settings)
    if as_json:
        emit_json([{**_report_json(r), "loaded": loaded} for r in reports])
    else:
        for report in reports:
            stdout.print(
                f"{report.connection_id}: {report.events:,} events in {report.pages} pages, "
                f"health {report.health}" + (f" ({report.error})" if report.error else ""),
                soft_wrap=True, markup=False,
            )  # fmt: skip
    if any(r.health is not Health.OK for r in reports):
        raise typer.Exit(8)


def disconnect(
    ctx: typer.Context,
    connection_id: Annotated[str, typer.Argument(help="The connection's id.")],
    as_json: JsonFlag = False,
) -> None:
    """Disable a connection: its webhook URL answers 404 and it is no longer synced."""
    settings = settings_of(ctx)
    with _database(settings) as database, database.transaction() as session:
        record = connections.disable(session, connection_id=connection_id, actor=CLI_ACTOR)
    if as_json:
        emit_json(connection_json(record, settings))
        return
    stdout.print(f"Disabled connection {record.id}.")


def connection_json(record: ConnectionRecord, settings: Settings) -> dict[str, Any]:
    """What scripts see: never a secret value, only which secrets are set."""
    return {
        "connection_id": record.id,
        "provider": record.provider,
        "profile_id": record.profile_id,
        "status": record.status,
        "webhook_url": webhook_url(record, settings),
        "config": record.config,
        "secrets_set": list(record.secret_names),
        "health": record.health.value,
        "last_error": record.last_error,
        "last_sync_at": _iso(record.last_sync_at),
        "last_success_at": _iso(record.last_success_at),
        "last_webhook_at": _iso(record.last_webhook_at),
        "last_data_at": _iso(record.last_data_at),
        "events_received": record.events_received,
        "cursors": record.cursors,
    }


def webhook_url(record: ConnectionRecord, settings: Settings) -> str | None:
    try:
        receives = registry.spec(record.provider).receive is not None
    except TouchlineError:
        receives = False
    if not receives:
        return None
    return settings.resolved_public_url + service.webhook_path(record.provider, record.id)


def _report_json(report: service.SyncReport) -> dict[str, Any]:
    return {
        "connection_id": report.connection_id,
        "provider": report.provider,
        "pages": report.pages,
        "events": report.events,
        "health": report.health.value,
        "error": report.error,
    }


@contextmanager
def _database(settings: Settings) -> Iterator[Database]:
    settings.ensure_data_dir()
    database = Database.open(settings)
    try:
        database.migrate()
        yield database
    finally:
        database.close()


def _switch(value: bool | None) -> str:
    """An on/off option as stored: "true" or "false"; "" (not given) keeps what is stored."""
    return "" if value is None else str(value).lower()


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(f"--since must be a date YYYY-MM-DD, not {text!r}") from None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "never"
