"""`touchline stats`: a profile's traffic summary (visitors, visits, pageviews, bounce rate,
engaged time) for a date range in its timezone; asks the running server when one holds the
event store."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from touchline.analytics.stats import fetch_traffic_stats
from touchline.cli.context import emit_json, settings_of, stdout


def stats(
    ctx: typer.Context,
    profile: Annotated[str, typer.Option("--profile", help="Profile id.")],
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Traffic summary of a profile: days are the profile's local days."""
    report = fetch_traffic_stats(
        settings=settings_of(ctx), profile_id=profile, date_from=date_from, date_to=date_to
    )
    if as_json:
        emit_json(report)
        return
    stdout.print(summary_table(report))


def summary_table(report: dict[str, Any]) -> Table:
    summary = report["summary"]
    title = f"{report['profile_id']}  {report['date_from']} to {report['date_to']}"
    table = Table(title=f"{title} ({report['timezone']})", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = (
        ("Visitors", f"{summary['visitors']:,}"),
        ("Visits", f"{summary['visits']:,}"),
        ("Pageviews", f"{summary['pageviews']:,}"),
        ("Bounce rate", f"{summary['bounce_rate']:.2f} %"),
        ("Engaged seconds", f"{summary['total_engaged_seconds']:,.1f}"),
        ("Avg engaged seconds per visit", f"{summary['avg_engaged_seconds']:,.2f}"),
        ("Views per visit", f"{summary['views_per_visit']:.2f}"),
        ("Avg visit duration (s)", f"{summary['avg_visit_duration_seconds']:,.2f}"),
    )
    for name, value in rows:
        table.add_row(name, value)
    return table
