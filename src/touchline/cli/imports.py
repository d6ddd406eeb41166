"""`touchline import …`: bring historical data in through the live ingest path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from touchline.cli.context import emit_json, settings_of, stderr, stdout
from touchline.connectors import service as connector_service
from touchline.control.db import Database, session_scope
from touchline.control.repos import fx_rates, profiles
from touchline.errors import InvalidPayload
from touchline.ingest import importer
from touchline.ingest.importer import ImportReport
from touchline.ingest.server_events import spool_submitter

app = typer.Typer(no_args_is_help=True, help="Import historical data.")

SHOWN_INVALID_LINES = 20  # the rest are counted; `--json` lists every one


@app.command("events")
def events(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="JSONL: one collect event a line."
        ),
    ],
    profile: Annotated[str, typer.Option("--profile", help="Profile the events belong to.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import events in the collect shape plus `ip` and `user_agent`, through the same
    pipeline and spool as live traffic. Bad lines are reported by number and skipped; the
    exit status is 2 when any line was invalid."""
    settings = settings_of(ctx)
    with session_scope(settings) as session:
        context = profiles.get(session, profile).context()
    with byte_progress(file.stat().st_size, f"Importing {file.name}") as advance:
        report = importer.import_file(
            settings=settings, profile=context, path=file, on_progress=advance
        )
    report.loaded = importer.load_if_idle(settings)
    if json_output:
        emit_json({"file": str(file), "profile_id": profile, **report_json(report)})
    else:
        print_report(report)
    if report.invalid_lines:
        raise typer.Exit(InvalidPayload.exit_code)


@contextmanager
def byte_progress(total: int, description: str) -> Iterator[Any]:
    """A Rich progress bar on stderr; yields `advance(n_bytes)`."""
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stderr, transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "events": report.events,
        "imported": report.imported,
        "dropped": dict(sorted(report.dropped.items())),
        "invalid_lines": report.invalid_lines,
        "invalid": [{"line": bad.line, "error": bad.error} for bad in report.invalid],
        "loaded": report.loaded,
    }


def print_report(report: ImportReport) -> None:
    say(f"Imported {report.imported:,} of {report.events:,} valid events.")
    if report.dropped:
        reasons = ", ".join(f"{reason} {n:,}" for reason, n in sorted(report.dropped.items()))
        say(f"Dropped by the pipeline: {sum(report.dropped.values()):,} ({reasons}).")
    if report.invalid_lines:
        print_invalid(report)
    if report.loaded is None:
        say("A running server holds the event store: its loader will load them.")
    else:
        say(f"Loaded {report.loaded:,} new events into the event store.")


def print_invalid(report: ImportReport) -> None:
    say(f"[red]Invalid lines: {report.invalid_lines:,}[/red] (skipped)")
    for bad in report.invalid[:SHOWN_INVALID_LINES]:
        stdout.print(
            f"  line {bad.line}: {bad.error}", markup=False, highlight=False, soft_wrap=True
        )
    if report.invalid_lines > SHOWN_INVALID_LINES:
        say(f"  … and {report.invalid_lines - SHOWN_INVALID_LINES:,} more (see --json)")


def say(text: str) -> None:
    stdout.print(text, soft_wrap=True)


@app.command("fx-rates")
def fx_rates_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with the header date,currency,per_eur.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Daily exchange rates for currencies ECB lacks (ARS, CLP, COP, PEN, UYU…): units of the
    currency per 1 EUR. An imported rate wins over ECB's for its day; nothing is written if a
    line is bad."""
    with session_scope(settings_of(ctx)) as session:
        count = fx_rates.import_csv(session, file)
    if as_json:
        emit_json({"imported": count})
        return
    stdout.print(f"Imported {count:,} rates.")


def provider_import(kind: str, help_text: str) -> None:
    """Register `touchline import KIND FILE --profile ID` for a connector's file importer."""

    def command(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        profile: Annotated[str, typer.Option("--profile", help="Profile the data belongs to.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    ) -> None:
        settings = settings_of(ctx)
        database = Database.open(settings)
        try:
            database.migrate()
            with file.open("rb") as handle, spool_submitter(settings) as submit:
                report = connector_service.import_file(
                    database=database, kind=kind, handle=handle, profile_id=profile,
                    submit=submit,
                )  # fmt: skip
        finally:
            database.close()
        report.loaded = importer.load_if_idle(settings)
        if as_json:
            emit_json({"file": str(file), "profile_id": profile, "kind": kind,
                       **report_json(report)})  # fmt: skip
        else:
            print_report(report)

    command.__doc__ = help_text
    app.command(kind)(command)


provider_import(
    "meta-insights",
    "Meta ads and daily insights: the Marketing API's insights JSON as it returns it, or an "
    "Ads Manager CSV export. Re-importing the same file changes nothing; a restated day "
    "replaces the stored one.",
)
provider_import(
    "google-ads",
    "Google Ads campaigns and daily cost: a report CSV export (Campaign, Day, Cost, …).",
)
provider_import(
    "gsc",
    "Google Search Console keywords by day: the searchAnalytics JSON or a CSV export.",
)
