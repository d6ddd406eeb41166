"""`touchline serve`: one uvicorn process running the app built from the CLI's Settings."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from touchline.app import create_app
from touchline.cli.context import settings_of, stderr

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to bind [TOUCHLINE_HOST].")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port to bind [TOUCHLINE_PORT].")
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help=f"One of {', '.join(LOG_LEVELS)} [TOUCHLINE_LOG_LEVEL].")
    ] = None,
    access_log: Annotated[
        bool, typer.Option(help="Log every request (off by default: it costs throughput).")
    ] = False,
) -> None:
    """Serve collect, health and the API on HOST:PORT until interrupted."""
    settings = settings_of(ctx)
    overrides = {"host": host, "port": port, "log_level": log_level}
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    if settings.log_level.lower() not in LOG_LEVELS:
        raise typer.BadParameter(f"log level must be one of {', '.join(LOG_LEVELS)}")
    stderr.print(f"Touchline serving on http://{settings.host}:{settings.port}")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        # "auto" picks uvloop and httptools when installed (uvicorn[standard] brings both).
        loop="auto",
        http="auto",
        log_level=settings.log_level.lower(),
        access_log=access_log,
        # Touchline reads X-Forwarded-For itself, from TOUCHLINE_TRUSTED_PROXIES only.
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
