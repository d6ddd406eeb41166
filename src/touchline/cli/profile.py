"""`touchline profile create|list`: a tracked business with its reporting and session settings."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.control.db import session_scope
from touchline.control.repos import profiles
from touchline.control.repos.profiles import ProfileRecord

CLI_ACTOR = "cli"
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

app = typer.Typer(no_args_is_help=True, help="Profiles: one tracked business or client.")


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Profile name, e.g. the client's brand.")],
    workspace: Annotated[str, typer.Option("--workspace", help="Workspace id.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 reporting currency.")] = "USD",
    timezone: Annotated[
        str | None, typer.Option(help="IANA timezone (default: the workspace's).")
    ] = None,
    domain: Annotated[
        list[str] | None, typer.Option("--domain", help="Site domain (repeatable).")
    ] = None,
    session_timeout: Annotated[
        int, typer.Option("--session-timeout", help="Inactivity minutes, 1 to 120.")
    ] = 30,
    session_mode: Annotated[
        str,
        typer.Option("--session-mode", help="inactivity_only or inactivity_or_source_change."),
    ] = "inactivity_only",
    as_json: JsonFlag = False,
) -> None:
    """Create a profile in a workspace."""
    with session_scope(settings_of(ctx)) as session:
        profile = profiles.create(
            session,
            workspace_id=workspace,
            name=name,
            currency=currency,
            timezone=timezone,
            domains=domain or [],
            session_timeout_minutes=session_timeout,
            session_mode=session_mode,
            actor=CLI_ACTOR,
        )
    if as_json:
        emit_json(profile_json(profile))
        return
    stdout.print(
        f"Created profile [bold]{escape(profile.name)}[/bold]  id: {profile.id}", soft_wrap=True
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    workspace: Annotated[
        str | None, typer.Option("--workspace", help="Only this workspace's profiles.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List profiles."""
    with session_scope(settings_of(ctx)) as session:
        if workspace is None:
            rows = profiles.list_all(session)
        else:
            rows = profiles.list_for_workspace(session, workspace_id=workspace)
    if as_json:
        emit_json([profile_json(row) for row in rows])
        return
    for row in rows:
        line = f"{row.id}  {row.name}  {row.currency}  {row.timezone}  {' '.join(row.domains)}"
        stdout.print(line.rstrip(), soft_wrap=True, markup=False)


def profile_json(profile: ProfileRecord) -> dict[str, Any]:
    return {
        "id": profile.id,
        "workspace_id": profile.workspace_id,
        "name": profile.name,
        "currency": profile.currency,
        "timezone": profile.timezone,
        "domains": list(profile.domains),
        "session_timeout_minutes": profile.session_timeout_minutes,
        "session_mode": profile.session_mode.value,
        "created_at": profile.created_at.isoformat(),
    }
