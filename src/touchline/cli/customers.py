"""`touchline customers erase ID --profile P`: the GDPR erase (the same service as
`DELETE /api/v1/customer-profiles/{id}`)."""

from __future__ import annotations

from typing import Annotated

import typer

from touchline.cli.context import emit_json, settings_of, stdout
from touchline.identity.erase_command import erase_customer

app = typer.Typer(no_args_is_help=True, help="Customer profiles: erase (GDPR).")


@app.command("erase")
def erase(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer profile id or ext_<externalId>.")],
    profile: Annotated[str, typer.Option("--profile", help="Profile id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Soft-delete a customer and erase its email, phone, names and identifiers from both
    planes; its sessions, conversions and credits stay."""
    result = erase_customer(settings=settings_of(ctx), profile_id=profile, reference=customer)
    if as_json:
        emit_json(result)
        return
    rows = sum(result["rows_scrubbed"].values())
    stdout.print(f"Erased customer {customer}: {rows:,} event-plane rows scrubbed.")
