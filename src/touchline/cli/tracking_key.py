"""`touchline tracking-key create|list|revoke|snippet|shopify`: the public `trk_…` key of the
tracker snippet, the snippet itself, and the Shopify pixel and app extensions made with it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.control.db import session_scope
from touchline.control.repos import profiles, tracking_keys
from touchline.control.repos.profiles import ProfileRecord
from touchline.control.repos.tracking_keys import TrackingKeyRecord
from touchline.errors import NotFound
from touchline.settings import Settings
from touchline.web.shopify_pixel import custom_pixel_code, pixel_extension_files
from touchline.web.shopify_theme import theme_extension_files
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
    cookie_domain: Annotated[
        str,
        typer.Option(
            "--cookie-domain",
            help="Share the visitor across subdomains: 'auto' or a domain such as example.com.",
        ),
    ] = "",
    as_json: JsonFlag = False,
) -> None:
    """Print the tracking snippet: the profile's newest active key and this server's URL."""
    settings = settings_of(ctx)
    record, key = profile_and_key(settings, profile)
    extra = profile_globals(
        session_timeout_minutes=record.session_timeout_minutes,
        session_mode=record.session_mode.value,
        consent_mode=consent_mode,
    )
    if domain := cookie_domain.strip():
        extra["COOKIE_DOMAIN"] = domain
    text = tracking_snippet(tracking_key=key, base_url=settings.resolved_public_url, extra=extra)
    if as_json:
        emit_json({"profile_id": profile, "tracking_key": key, "snippet": text})
        return
    typer.echo(text)


CUSTOM_PIXEL_FILE = "custom-pixel.js"


@app.command("shopify")
def shopify(
    ctx: typer.Context,
    profile: ProfileOption,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="A Shopify app's root: write its extensions (the theme app embed and the web"
            " pixel) and custom-pixel.js there instead of printing the custom pixel.",
        ),
    ] = None,
    consent_mode: Annotated[
        ConsentMode,
        typer.Option("--consent-mode", help="The theme embed's: none, required or strict."),
    ] = ConsentMode.NONE,
    as_json: JsonFlag = False,
) -> None:
    """Print the Shopify web pixel to paste as a custom pixel (Settings > Customer events),
    made with the profile's newest active key and this server's URL; with --out, write a
    Shopify app's extensions instead: the storefront's app embed and the checkout's pixel."""
    settings = settings_of(ctx)
    record, key = profile_and_key(settings, profile)
    base_url, minutes = settings.resolved_public_url, record.session_timeout_minutes
    code = custom_pixel_code(tracking_key=key, base_url=base_url, session_timeout_minutes=minutes)
    if out is None:
        if as_json:
            emit_json({"profile_id": profile, "tracking_key": key, "code": code})
        else:
            typer.echo(code, nl=False)
        return
    files = {
        CUSTOM_PIXEL_FILE: code,
        **pixel_extension_files(
            tracking_key=key, base_url=base_url, session_timeout_minutes=minutes
        ),
        **theme_extension_files(
            tracking_key=key,
            base_url=base_url,
            session_timeout_minutes=minutes,
            session_mode=record.session_mode.value,
            consent_mode=consent_mode,
        ),
    }
    for name, text in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if as_json:
        emit_json({"profile_id": profile, "tracking_key": key, "files": sorted(files)})
        return
    for name in sorted(files):
        typer.echo(str(out / name))


def profile_and_key(settings: Settings, profile_id: str) -> tuple[ProfileRecord, str]:
    """The profile and its newest active tracking key (NotFound without one)."""
    with session_scope(settings) as session:
        record = profiles.get(session, profile_id)
        active = [
            k for k in tracking_keys.list_for_profile(session, profile_id=profile_id) if k.active
        ]
    if not active:
        raise NotFound(f"profile {profile_id} has no active tracking key: tracking-key create")
    return record, active[-1].key


def tracking_key_json(record: TrackingKeyRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "key": record.key,
        "profile_id": record.profile_id,
        "status": "active" if record.active else "revoked",
        "created_at": record.created_at.isoformat(),
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
    }
