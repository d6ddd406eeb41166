"""`touchline identity show|merges|unmerge`: inspect the identity graph and undo a merge."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.control.db import session_scope
from touchline.control.repos import audit, customers
from touchline.identity.graph import next_identifier_version
from touchline.identity.graph import unmerge as undo_merge

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
app = typer.Typer(no_args_is_help=True, help="The identity graph: customers and merges.")


@app.command("show")
def show(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="Customer profile id.")],
    as_json: JsonFlag = False,
) -> None:
    """A customer profile with its identifiers."""
    with session_scope(settings_of(ctx)) as session:
        record = customers.get(session, customer_id)
    if as_json:
        emit_json(record.as_json())
        return
    stdout.print(f"{record.display_name}  ({record.id})")
    if record.merged_into_id:
        stdout.print(f"  merged into {record.merged_into_id}")
    for kind, value in record.identifiers:
        stdout.print(f"  {kind}: {value}")
    for field, values in record.invalid.items():
        stdout.print(f"  invalid {field} (never matched): {', '.join(values)}")


@app.command("merges")
def merges(
    ctx: typer.Context,
    profile: Annotated[str, typer.Option("--profile", help="Profile id.")],
    as_json: JsonFlag = False,
) -> None:
    """The profile's identity merges, newest first."""
    with session_scope(settings_of(ctx)) as session:
        found = customers.merges(session, profile)
    if as_json:
        emit_json([m.as_json() for m in found])
        return
    table = Table("id", "winner", "loser", "reason", "moved", "when", "undone")
    for m in found:
        table.add_row(
            m.id,
            m.winner_id,
            m.loser_id,
            m.reason,
            str(m.moved),
            m.created_at.isoformat(),
            m.unmerged_at.isoformat() if m.unmerged_at else "",
        )
    stdout.print(table)


@app.command("unmerge")
def unmerge(
    ctx: typer.Context,
    merge_id: Annotated[str, typer.Argument(help="Merge id (see `identity merges`).")],
    as_json: JsonFlag = False,
) -> None:
    """Undo a merge: both customer profiles come back; the server re-credits their conversions."""
    now = datetime.now(UTC)
    with session_scope(settings_of(ctx)) as session:
        version = next_identifier_version(session, int(now.timestamp() * 1_000_000))
        merge = undo_merge(session, merge_id, now=now, version=version)
        audit.record(
            session,
            actor="cli",
            action=audit.AuditAction.IDENTITY_UNMERGED,
            target_type="identity_merge",
            target_id=merge.id,
            workspace_id=None,
            details={"winner": merge.winner_id, "loser": merge.loser_id},
            now=now,
        )
        result: dict[str, Any] = {
            "id": merge.id,
            "winner_id": merge.winner_id,
            "loser_id": merge.loser_id,
        }
    if as_json:
        emit_json(result)
        return
    stdout.print(
        f"Unmerged {result['loser_id']} from {result['winner_id']}. A running server mirrors it"
        " on its next tick; otherwise the next load or `touchline recompute` does."
    )
