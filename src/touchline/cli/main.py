"""The `touchline` command: builds Settings once and registers every verb group."""

from __future__ import annotations

import typer

from touchline.cli import (
    connections,
    customers,
    demo,
    goals,
    identity,
    imports,
    keys,
    profile,
    recompute,
    serve,
    stats,
    tracking_key,
    user,
    workspace,
)
from touchline.errors import TouchlineError
from touchline.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Touchline attribution.")
app.add_typer(workspace.app, name="workspace")
app.add_typer(profile.app, name="profile")
app.add_typer(keys.app, name="keys")
app.add_typer(tracking_key.app, name="tracking-key")
app.add_typer(user.app, name="user")
app.add_typer(imports.app, name="import")
app.add_typer(goals.app, name="goals")
app.add_typer(identity.app, name="identity")
app.add_typer(customers.app, name="customers")
app.command("recompute")(recompute.recompute)
app.command("serve")(serve.serve)
app.command("stats")(stats.stats)
app.command("demo")(demo.demo)
app.command("connect")(connections.connect)
app.command("connections")(connections.list_connections)
app.command("sync")(connections.sync)
app.command("disconnect")(connections.disconnect)


@app.callback()
def root(ctx: typer.Context) -> None:
    """Touchline: which ads turned into real money."""
    ctx.obj = Settings()


def main() -> None:
    from touchline.cli.context import stderr

    try:
        app()
    except TouchlineError as error:
        stderr.print(f"[red]error[/red] {error.code}: {error.message}")
        raise SystemExit(error.exit_code) from error
