"""`touchline user create`: a dashboard user with a role in a workspace."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from touchline.cli.context import emit_json, settings_of, stderr, stdout
from touchline.control.db import session_scope
from touchline.control.repos import users, workspaces
from touchline.control.repos.users import MembershipRecord, UserRecord

CLI_ACTOR = "cli"
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

app = typer.Typer(no_args_is_help=True, help="Users of the dashboard and their roles.")


@app.command("create")
def create(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's e-mail address (their login).")],
    role: Annotated[str, typer.Option(help="owner, admin, editor or viewer.")],
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", help="Workspace id (default: the only workspace)."),
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Password (default: generate one and print it once).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a user with a role in a workspace."""
    secret = password or users.generate_password()
    with session_scope(settings_of(ctx)) as session:
        workspace_id = workspace or workspaces.single(session).id
        user = users.create(
            session,
            email=email,
            password=secret,
            workspace_id=workspace_id,
            role=role,
            actor=CLI_ACTOR,
        )
        membership = users.memberships(session, user_id=user.id)[0]
    if as_json:
        generated = {} if password else {"key": secret, "password": secret}
        emit_json({**user_json(user, membership), **generated})
        return
    stdout.print(
        f"Created user [bold]{escape(user.email)}[/bold] ({membership.role})  id: {user.id}",
        soft_wrap=True,
    )
    if not password:
        stdout.print(f"password: {secret}", markup=False, highlight=False, soft_wrap=True)
        stderr.print("[yellow]This password is shown once.[/yellow]")


def user_json(user: UserRecord, membership: MembershipRecord) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "workspace_id": membership.workspace_id,
        "role": membership.role.value,
        "created_at": user.created_at.isoformat(),
    }
