"""`touchline recompute --profile ID`: rebuild a profile's attribution (touches, data-driven
fits, every model's credits); the running server does it when it holds the event store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from touchline.cli.context import emit_json, settings_of, stderr, stdout
from touchline.processing.recompute import recompute as run_recompute


def recompute(
    ctx: typer.Context,
    profile: Annotated[str, typer.Option("--profile", help="Profile id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Recompute every attribution credit of a profile (after a window or weight change)."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True) as bar:
        task = bar.add_task("starting", total=None)
        result = run_recompute(
            settings=settings_of(ctx),
            profile_id=profile,
            progress=lambda step: bar.update(task, description=step),
        )
    if as_json:
        emit_json(result)
        return
    stdout.print(
        f"Recomputed {result['conversions']:,} conversions "
        f"({result['credit_rows']:,} credit rows, {result['touches_added']:,} new touches)."
    )
