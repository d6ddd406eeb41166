"""What every CLI command shares: the Settings built once at the entry point, and output."""

from __future__ import annotations

import sys
from typing import Any

import orjson
import typer
from rich.console import Console

from touchline.settings import Settings

stdout = Console()
stderr = Console(stderr=True)


def settings_of(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def emit_json(value: Any) -> None:
    """Machine output for `--json`: one JSON document on stdout."""
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")
