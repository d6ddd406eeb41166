"""`touchline profile create|list|attribution`: a tracked business, its reporting, session and
attribution settings."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.control.db import session_scope
from touchline.control.repos import profiles
from touchline.control.repos.profiles import ProfileRecord
from touchline.domain.attribution.settings import AttributionSettings, CustomWeights, SettingsError
from touchline.errors import InvalidParameter
from touchline.processing.recompute import recompute as run_recompute

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


@app.command("attribution")
def attribution(
    ctx: typer.Context,
    profile: Annotated[str, typer.Option("--profile", help="Profile id.")],
    click_window_days: Annotated[int | None, typer.Option(help="1 to 365 days.")] = None,
    view_window_hours: Annotated[int | None, typer.Option(help="1 to 168 hours.")] = None,
    first_touch_window_days: Annotated[int | None, typer.Option(help="1 to 365 days.")] = None,
    half_life_days: Annotated[float | None, typer.Option(help="Time-decay half-life.")] = None,
    weights: Annotated[
        str | None, typer.Option(help="custom_weighted first/middle/last, e.g. 40/20/40.")
    ] = None,
    phone_region: Annotated[
        str | None, typer.Option(help="ISO country for phones without a country code.")
    ] = None,
    recompute: Annotated[bool, typer.Option("--recompute/--no-recompute")] = True,
    as_json: JsonFlag = False,
) -> None:
    """Show or change attribution windows and weights; changes recompute the profile's credits."""
    settings = settings_of(ctx)
    with session_scope(settings) as session:
        current = profiles.get(session, profile).attribution
        wanted = _attribution(
            current,
            click_window_days,
            view_window_hours,
            first_touch_window_days,
            half_life_days,
            weights,
        )
        changed = wanted != current or phone_region is not None
        if changed:
            profiles.update_attribution(
                session, profile, wanted, phone_region=phone_region, actor=CLI_ACTOR
            )
    result: dict[str, Any] = {"id": profile, **_attribution_json(wanted)}
    if changed and recompute:
        result["recompute"] = run_recompute(settings=settings, profile_id=profile)
    if as_json:
        emit_json(result)
        return
    stdout.print(_attribution_json(wanted))


def _attribution(
    current: AttributionSettings,
    click: int | None,
    view: int | None,
    first: int | None,
    half_life: float | None,
    weights: str | None,
) -> AttributionSettings:
    try:
        parts = [int(p) for p in weights.split("/")] if weights else None
        custom = CustomWeights(*parts) if parts and len(parts) == 3 else current.weights
        if parts is not None and len(parts) != 3:
            raise SettingsError("weights must be first/middle/last, e.g. 40/20/40")
        return AttributionSettings(
            click_window_days=current.click_window_days if click is None else click,
            view_window_hours=current.view_window_hours if view is None else view,
            first_touch_window_days=current.first_touch_window_days if first is None else first,
            half_life_days=current.half_life_days if half_life is None else half_life,
            weights=custom,
        )
    except (SettingsError, ValueError) as error:
        raise InvalidParameter(str(error)) from None


def _attribution_json(a: AttributionSettings) -> dict[str, Any]:
    return {
        "click_window_days": a.click_window_days,
        "view_window_hours": a.view_window_hours,
        "first_touch_window_days": a.first_touch_window_days,
        "half_life_days": a.half_life_days,
        "weights": {"first": a.weights.first, "middle": a.weights.middle, "last": a.weights.last},
    }
