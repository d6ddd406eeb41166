"""`touchline goals list|create|edit|map-stage|unmap-stage`: which events become conversions."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.control.db import session_scope
from touchline.control.repos import goals as repo
from touchline.domain.goals import GoalDefinition

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Profile = Annotated[str, typer.Option("--profile", help="Profile id.")]
app = typer.Typer(no_args_is_help=True, help="Goals: conversion definitions and CRM stages.")


@app.command("list")
def list_goals(ctx: typer.Context, profile: Profile, as_json: JsonFlag = False) -> None:
    """The profile's goals (the six defaults and custom ones) and stage mappings."""
    with session_scope(settings_of(ctx)) as session:
        repo.ensure_defaults(session, profile)
        found = repo.list_goals(session, profile)
        stages = repo.stage_mappings(session, profile)
    if as_json:
        emit_json({"goals": [goal_json(g) for g in found], "stage_mappings": stages})
        return
    table = Table("key", "name", "source events", "revenue type", "attribution")
    for g in found:
        table.add_row(
            g.key,
            g.name,
            ", ".join(g.source_events),
            g.revenue_type.value,
            "yes" if g.attribution_eligible else "no",
        )
    stdout.print(table)
    for stage, key in sorted(stages.items()):
        stdout.print(f"stage {stage!r} → {key or '(not a conversion)'}")


def goal_json(goal: GoalDefinition) -> dict[str, Any]:
    return {
        "key": goal.key,
        "name": goal.name,
        "source_events": list(goal.source_events),
        "revenue_type": goal.revenue_type.value,
        "attribution_eligible": goal.attribution_eligible,
    }


@app.command("create")
def create(
    ctx: typer.Context,
    profile: Profile,
    key: Annotated[str, typer.Argument(help="Goal key, e.g. trial_started.")],
    source_event: Annotated[
        list[str], typer.Option("--event", help="Source event name (repeatable).")
    ],
    revenue_type: Annotated[str, typer.Option("--revenue-type", help="cash, pipeline or gross.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    eligible: Annotated[bool, typer.Option("--attribution/--no-attribution")] = True,
    as_json: JsonFlag = False,
) -> None:
    """A custom goal: events with these names become conversions of this revenue type."""
    with session_scope(settings_of(ctx)) as session:
        repo.ensure_defaults(session, profile)
        goal = repo.create_goal(
            session,
            profile_id=profile,
            key=key,
            name=name or key,
            source_events=source_event,
            revenue_type=revenue_type,
            attribution_eligible=eligible,
        )
    if as_json:
        emit_json({"id": goal.key, "key": goal.key, "revenue_type": goal.revenue_type.value})
        return
    stdout.print(f"Goal {goal.key} ({goal.revenue_type.value}) created.")


@app.command("edit")
def edit(
    ctx: typer.Context,
    profile: Profile,
    key: Annotated[str, typer.Argument(help="Goal key, a default one too.")],
    add: Annotated[
        list[str] | None, typer.Option("--add-event", help="Source event to add (repeatable).")
    ] = None,
    remove: Annotated[
        list[str] | None,
        typer.Option("--remove-event", help="Source event to remove (repeatable)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change which events make a goal's conversions, from the next events loaded on."""
    with session_scope(settings_of(ctx)) as session:
        repo.ensure_defaults(session, profile)
        goal = repo.edit_sources(
            session, profile_id=profile, key=key, add=add or (), remove=remove or ()
        )
    if as_json:
        emit_json(goal_json(goal))
        return
    stdout.print(f"Goal {goal.key}: {', '.join(goal.source_events)}.")


@app.command("map-stage")
def map_stage(
    ctx: typer.Context,
    profile: Profile,
    stage: Annotated[str, typer.Argument(help="CRM pipeline stage name.")],
    goal_key: Annotated[str, typer.Argument(help="Goal key, or '' for not a conversion.")],
    as_json: JsonFlag = False,
) -> None:
    """Override the keyword mapping of one CRM pipeline stage."""
    with session_scope(settings_of(ctx)) as session:
        stored = repo.set_stage_mapping(session, profile_id=profile, stage=stage, goal_key=goal_key)
    if as_json:
        emit_json({"id": stored, "stage": stored, "goal_key": goal_key})
        return
    stdout.print(f"Stage {stored!r} → {goal_key or '(not a conversion)'}.")


@app.command("unmap-stage")
def unmap_stage(
    ctx: typer.Context,
    profile: Profile,
    stage: Annotated[str, typer.Argument(help="CRM pipeline stage name.")],
    as_json: JsonFlag = False,
) -> None:
    """Remove an override: the keyword rules apply again."""
    with session_scope(settings_of(ctx)) as session:
        repo.delete_stage_mapping(session, profile_id=profile, stage=stage)
    if as_json:
        emit_json({"id": stage, "stage": stage, "removed": True})
        return
    stdout.print(f"Stage {stage!r} uses the keyword rules again.")
