"""`touchline tracking-key create|list|revoke|snippet`: the public `trk_…` key of the tracker
snippet, and the snippet itself."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.control.db import session_scope
from touchline.control.repos import profiles, tracking_keys
from touchline.control.repos.tracking_keys import TrackingKeyRecord
from touchline.errors import NotFound
from touchline.web.snippet import ConsentMode, profile_globals, tracking_snippet

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


@app.command("snippet")
def snippet(
    ctx: typer.Context,
    profile: ProfileOption,
    consent_mode: Annotated[
        ConsentMode,
        typer.Option("--consent-mode", help="none, required (identify waits) or strict."),
    ] = ConsentMode.NONE,
    as_json: JsonFlag = False,
) -> None:
    """Print the tracking snippet: the profile's newest active key and this server's URL."""
    settings = settings_of(ctx)
    with session_scope(settings) as session:
        record = profiles.get(session, profile)
        active = [
            k for k in tracking_keys.list_for_profile(session, profile_id=profile) if k.active
        ]
    if not active:
        raise NotFound(f"profile {profile} has no active tracking key: tracking-key create")
    extra = profile_globals(
        session_timeout_minutes=record.session_timeout_minutes,
        session_mode=record.session_mode.value,
        consent_mode=consent_mode,
    )
    text = tracking_snippet(
        tracking_key=active[-1].key, base_url=settings.resolved_public_url, extra=extra
    )
    if as_json:
        emit_json({"profile_id": profile, "tracking_key": active[-1].key, "snippet": text})
        return
    typer.echo(text)


def tracking_key_json(record: TrackingKeyRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "key": record.key,
        "profile_id": record.profile_id,
        "status": "active" if record.active else "revoked",
        "created_at": record.created_at.isoformat(),
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
    }
