"""`touchline tracking-key create|list|revoke`: the public `trk_…` key of the tracker snippet."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.control.db import session_scope
from touchline.control.repos import tracking_keys
from touchline.control.repos.tracking_keys import TrackingKeyRecord

CLI_ACTOR = "cli"
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ProfileOption = Annotated[str, typer.Option("--profile", help="Profile id.")]

app = typer.Typer(no_args_is_help=True, help="Tracking keys: what the tracker sends events with.")


@app.command("create")
def create(
    ctx: typer.Context,
    profile: ProfileOption,
    key: Annotated[
        str | None, typer.Option(help="Adopt an existing trk_… key instead of issuing one.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a tracking key (`trk_live_…`) for a profile."""
    with session_scope(settings_of(ctx)) as session:
        record = tracking_keys.create(session, profile_id=profile, key=key, actor=CLI_ACTOR)
    if as_json:
        emit_json(tracking_key_json(record))
        return
    stdout.print(f"Created tracking key  id: {record.id}", soft_wrap=True)
    stdout.print(record.key, markup=False, highlight=False, soft_wrap=True)


@app.command("list")
def list_(ctx: typer.Context, profile: ProfileOption, as_json: JsonFlag = False) -> None:
    """List a profile's tracking keys."""
    with session_scope(settings_of(ctx)) as session:
        rows = tracking_keys.list_for_profile(session, profile_id=profile)
    if as_json:
        emit_json([tracking_key_json(row) for row in rows])
        return
    for row in rows:
        status = "active" if row.active else "revoked"
        stdout.print(f"{row.id}  {row.key}  {status}", soft_wrap=True, highlight=False)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The key's id, or the trk_… key itself.")],
    as_json: JsonFlag = False,
) -> None:
    """Revoke a tracking key; its events are refused within seconds."""
    with session_scope(settings_of(ctx)) as session:
        record = tracking_keys.revoke(session, key_id=key_id, actor=CLI_ACTOR)
    if as_json:
        emit_json(tracking_key_json(record))
        return
    stdout.print(f"Revoked tracking key {record.key} ({record.id}).", soft_wrap=True)


def tracking_key_json(record: TrackingKeyRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "key": record.key,
        "profile_id": record.profile_id,
        "status": "active" if record.active else "revoked",
        "created_at": record.created_at.isoformat(),
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
    }
