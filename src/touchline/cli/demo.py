"""`touchline demo`: the "Demo Agency" workspace with realistic traffic, loaded through the
import path; `--serve` then starts the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from touchline.cli import serve as serve_command
from touchline.cli.context import emit_json, settings_of, stderr, stdout
from touchline.cli.imports import report_json
from touchline.control.db import session_scope
from touchline.demo import outcomes
from touchline.demo.account import DemoAccount, ensure_demo_account
from touchline.demo.traffic import TrafficPlan, generate
from touchline.ingest import importer
from touchline.ingest.importer import ImportReport
from touchline.ingest.protocol import EventType, RawEvent
from touchline.settings import Settings


def demo(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(min=1, max=400, help="Days of traffic, up to today.")] = 30,
    scale: Annotated[
        float, typer.Option(min=0.01, max=100.0, help="Multiplies the number of visitors.")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Same seed, same traffic.")] = 7,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then start the server (like `touchline serve`).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Create (or reuse) workspace "Demo Agency" with profile "Demo Clinic", a tracking key
    and an API key, and load realistic traffic through the import path. Running it again
    reuses the workspace and adds no duplicate events."""
    settings = settings_of(ctx)
    now = datetime.now(UTC)
    with session_scope(settings) as session:
        account = ensure_demo_account(session, now=now)
    plan = TrafficPlan(
        end=now, days=days, scale=scale, seed=seed, timezone=account.profile.timezone
    )
    report = load_traffic(settings, account, plan)
    if as_json:
        emit_json(account_json(account) | report_json(report))
    else:
        today = now.astimezone(ZoneInfo(account.profile.timezone)).date()
        print_summary(account, report, today - timedelta(days=days - 1), today)
    if serve:
        url = settings.resolved_public_url
        stdout.print(f"\nServing the demo at [bold]{url}[/bold]", soft_wrap=True)
        key = account.api_key.plaintext
        stdout.print(f"API key, ready to use: [bold]{key}[/bold]", soft_wrap=True)
        serve_command.serve(ctx)


def load_traffic(settings: Settings, account: DemoAccount, plan: TrafficPlan) -> ImportReport:
    """Generated traffic through the import path, then the server-side outcomes (payments,
    refunds, CRM leads) with their connectors' origins; loaded unless a server does it."""
    profile = account.profile.context()
    identified: list[RawEvent] = []

    def web() -> Iterator[RawEvent]:
        for event in generate(plan):
            if event.type is EventType.IDENTIFY:
                identified.append(event)
            yield event

    with event_progress("Generating and importing demo traffic") as advance:
        report = importer.import_events(
            settings=settings, profile=profile, events=web(), on_progress=advance
        )
    for origin, events in (
        (outcomes.PAYMENT_ORIGIN, outcomes.payments(plan, identified)),
        (outcomes.CRM_ORIGIN, outcomes.crm_leads(plan)),
    ):
        extra = importer.import_events(
            settings=settings, profile=profile, events=events, origin=origin
        )
        report.events += extra.events
        report.imported += extra.imported
    report.loaded = importer.load_if_idle(settings)
    return report


@contextmanager
def event_progress(description: str) -> Iterator[Any]:
    """A spinner with a running event count on stderr; yields `advance(n_events)`."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f} events"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task(description, total=None)
        yield lambda n: progress.advance(task, n)


def account_json(account: DemoAccount) -> dict[str, Any]:
    return {
        "id": account.workspace_id,
        "reused": account.reused,
        "profile_id": account.profile.id,
        "tracking_key": account.tracking_key,
        "api_key_id": account.api_key.record.id,
        "key": account.api_key.plaintext,
    }


def print_summary(account: DemoAccount, report: ImportReport, first: date, last: date) -> None:
    profile = account.profile
    verb = "Reusing the existing" if account.reused else "Created"
    stdout.print(
        f"{verb} workspace [bold]Demo Agency[/bold]  id: {account.workspace_id}", soft_wrap=True
    )
    stdout.print(
        f"Profile [bold]{profile.name}[/bold]  id: {profile.id}  "
        f"({profile.timezone}, {profile.currency}, {', '.join(profile.domains)})",
        soft_wrap=True,
    )
    stdout.print(f"Tracking key: {account.tracking_key}", soft_wrap=True)
    stdout.print(f"API key (shown once): [bold]{account.api_key.plaintext}[/bold]", soft_wrap=True)
    dropped = ", ".join(f"{reason} {n:,}" for reason, n in sorted(report.dropped.items()))
    stdout.print(
        f"Traffic {first} → {last}: {report.imported:,} events imported"
        + (f", {sum(report.dropped.values()):,} dropped ({dropped})" if dropped else ""),
        soft_wrap=True,
    )
    if report.loaded is None:
        stdout.print(
            "A running server holds the event store: its loader is loading them.", soft_wrap=True
        )
    else:
        stdout.print(
            f"Loaded {report.loaded:,} new events (a re-run adds no duplicates).", soft_wrap=True
        )
    stdout.print(
        f"Try: touchline stats --profile {profile.id} --from {first} --to {last}", soft_wrap=True
    )
