"""`touchline keys create|list|rotate|revoke`: REST API keys (`atb_live_…`), shown once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from touchline.cli.context import emit_json, settings_of, stderr, stdout
from touchline.control.db import session_scope
from touchline.control.repos import api_keys
from touchline.control.repos.api_keys import ApiKeyRecord, IssuedKey

CLI_ACTOR = "cli"
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
KeyId = Annotated[str, typer.Argument(help="The key's id (from `keys list`).")]

app = typer.Typer(no_args_is_help=True, help="API keys for the REST API, one profile each.")


@app.command("create")
def create(
    ctx: typer.Context,
    profile: Annotated[str, typer.Option("--profile", help="Profile id.")],
    scopes: Annotated[
        str | None,
        typer.Option(
            "--scopes",
            "--scope",
            help="Comma-separated scopes (default: analytics, campaigns, conversions, realtime; "
            "customers:read, visitors:read and customers:write only when listed).",
        ),
    ] = None,
    name: Annotated[str, typer.Option(help="A label for the key.")] = "default",
    as_json: JsonFlag = False,
) -> None:
    """Create a key. The key is printed once and cannot be shown again."""
    with session_scope(settings_of(ctx)) as session:
        issued = api_keys.create(
            session, profile_id=profile, name=name, scopes=scopes, actor=CLI_ACTOR
        )
    _show_issued(issued, as_json=as_json, extra={})


@app.command("list")
def list_(
    ctx: typer.Context,
    profile: Annotated[str, typer.Option("--profile", help="Profile id.")],
    as_json: JsonFlag = False,
) -> None:
    """List a profile's keys (prefixes only; keys are never stored)."""
    now = datetime.now(UTC)
    with session_scope(settings_of(ctx)) as session:
        rows = api_keys.list_for_profile(session, profile_id=profile)
    if as_json:
        emit_json([key_json(row, now) for row in rows])
        return
    for row in rows:
        line = (
            f"{row.id}  {row.prefix}…  {row.name}  {row.status(now)}  "
            f"scopes: {' '.join(sorted(row.scopes))}  last used: {_when(row.last_used_at)}  "
            f"expires: {_when(row.expires_at)}"
        )
        stdout.print(line, soft_wrap=True, markup=False, highlight=False)


@app.command("rotate")
def rotate(ctx: typer.Context, key_id: KeyId, as_json: JsonFlag = False) -> None:
    """Issue a replacement key; the old one keeps working for 48 hours."""
    with session_scope(settings_of(ctx)) as session:
        issued = api_keys.rotate(session, key_id=key_id, actor=CLI_ACTOR)
        old = api_keys.get(session, key_id)
    expiry = old.expires_at.isoformat() if old.expires_at else None
    _show_issued(issued, as_json=as_json, extra={"old_key_expires_at": expiry})
    if not as_json:
        stdout.print(
            f"The old key {old.prefix}… stops working at {_when(old.expires_at)}.", soft_wrap=True
        )


@app.command("revoke")
def revoke(ctx: typer.Context, key_id: KeyId, as_json: JsonFlag = False) -> None:
    """Revoke a key now. Requests with it fail immediately."""
    with session_scope(settings_of(ctx)) as session:
        record = api_keys.revoke(session, key_id=key_id, actor=CLI_ACTOR)
    if as_json:
        emit_json(key_json(record, datetime.now(UTC)))
        return
    stdout.print(f"Revoked key {record.prefix}… ({record.id}).", soft_wrap=True)


def key_json(record: ApiKeyRecord, now: datetime) -> dict[str, Any]:
    return {
        "id": record.id,
        "profile_id": record.profile_id,
        "name": record.name,
        "prefix": record.prefix,
        "scopes": sorted(record.scopes),
        "rate_limit_per_minute": record.rate_limit_per_minute,
        "status": record.status(now).value,
        "created_at": record.created_at.isoformat(),
        "last_used_at": _iso(record.last_used_at),
        "expires_at": _iso(record.expires_at),
        "revoked_at": _iso(record.revoked_at),
        "replaces_key_id": record.replaces_key_id,
    }


def _show_issued(issued: IssuedKey, *, as_json: bool, extra: dict[str, Any]) -> None:
    record = issued.record
    if as_json:
        emit_json({**key_json(record, record.created_at), "key": issued.plaintext, **extra})
        return
    stdout.print(f"API key [bold]{escape(record.name)}[/bold]  id: {record.id}", soft_wrap=True)
    stdout.print(f"scopes: {', '.join(sorted(record.scopes))}", soft_wrap=True)
    stdout.print(issued.plaintext, markup=False, highlight=False, soft_wrap=True)
    stderr.print("[yellow]This key is shown once. Store it now.[/yellow]")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "-"
