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
from touchline.demo.account import DemoAccount, ensure_demo_account
from touchline.demo.deliver import Delivered, deliver
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
    report, delivered = load_traffic(settings, account, plan)
    if as_json:
        emit_json(account_json(account) | report_json(report) | delivered_json(delivered))
    else:
        today = now.astimezone(ZoneInfo(account.profile.timezone)).date()
        print_summary(account, report, today - timedelta(days=days - 1), today)
        print_delivered(delivered)
    if serve:
        url = settings.resolved_public_url
        stdout.print(f"\nServing the demo at [bold]{url}[/bold]", soft_wrap=True)
        key = account.api_key.plaintext
        stdout.print(f"API key, ready to use: [bold]{key}[/bold]", soft_wrap=True)
        serve_command.serve(ctx)


def load_traffic(
    settings: Settings, account: DemoAccount, plan: TrafficPlan
) -> tuple[ImportReport, Delivered]:
    """Generated traffic through the import path, loaded; then the outside world through the
    connectors (signed webhooks to a running server, a CRM sync, ad and search reports)."""
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
    report.loaded = importer.load_if_idle(settings)
    with event_progress("Delivering payments, CRM and ad data through the connectors"):
        delivered = deliver(
            settings=settings, profile_id=profile.profile_id, plan=plan, identified=identified
        )
    return report, delivered


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


def delivered_json(delivered: Delivered) -> dict[str, Any]:
    return {
        "webhooks": delivered.webhooks,
        "webhook_events": delivered.accepted,
        "webhooks_refused": delivered.refused,
        "synced_and_imported": delivered.imported,
    }


def print_delivered(delivered: Delivered) -> None:
    posted = ", ".join(
        f"{provider} {count:,} ({delivered.accepted.get(provider, 0):,} events)"
        for provider, count in sorted(delivered.webhooks.items())
    )
    stdout.print(f"Signed webhooks posted: {posted}", soft_wrap=True, highlight=False)
    brought = ", ".join(f"{kind} {n:,}" for kind, n in sorted(delivered.imported.items()))
    stdout.print(f"Synced and imported records: {brought}", soft_wrap=True, highlight=False)
    if delivered.refused:
        stdout.print(f"[red]{delivered.refused} webhooks were refused[/red]", soft_wrap=True)


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
