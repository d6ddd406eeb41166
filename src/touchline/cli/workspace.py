"""`touchline workspace create|list`: the organization (or agency) that owns profiles."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.control.db import session_scope
from touchline.control.repos import workspaces
from touchline.control.repos.workspaces import WorkspaceRecord

CLI_ACTOR = "cli"
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

app = typer.Typer(no_args_is_help=True, help="Workspaces: an organization and its profiles.")


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Workspace name, e.g. your agency.")],
    timezone: Annotated[str, typer.Option(help="IANA timezone new profiles default to.")] = "UTC",
    as_json: JsonFlag = False,
) -> None:
    """Create a workspace."""
    with session_scope(settings_of(ctx)) as session:
        workspace = workspaces.create(session, name=name, timezone=timezone, actor=CLI_ACTOR)
    if as_json:
        emit_json(workspace_json(workspace))
        return
    stdout.print(
        f"Created workspace [bold]{escape(workspace.name)}[/bold]  id: {workspace.id}",
        soft_wrap=True,
    )


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List every workspace."""
    with session_scope(settings_of(ctx)) as session:
        rows = workspaces.list_all(session)
    if as_json:
        emit_json([workspace_json(row) for row in rows])
        return
    for row in rows:
        stdout.print(f"{row.id}  {row.name}  ({row.timezone})", soft_wrap=True, markup=False)


def workspace_json(workspace: WorkspaceRecord) -> dict[str, Any]:
    return {
        "id": workspace.id,
        "name": workspace.name,
        "timezone": workspace.timezone,
        "created_at": workspace.created_at.isoformat(),
    }
