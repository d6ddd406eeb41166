"""`touchline stats`: the traffic summary of events imported through the CLI, as a table and as
JSON, with the spec's errors for a bad range or an unknown profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from touchline.cli.main import app
from touchline.errors import InvalidDateRange, NotFound
from touchline.settings import Settings

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
NOON_UTC_MS = 1_773_057_600_000  # 2026-03-09 12:00 UTC = 06:00 in Mexico City


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return {"TOUCHLINE_DATA_DIR": str(settings.data_dir), "TOUCHLINE_DATABASE_URL": ""}


def invoke(env: dict[str, str], *args: str) -> Any:
    return CliRunner().invoke(app, list(args), env=env)


def json_of(env: dict[str, str], *args: str) -> Any:
    result = invoke(env, *args, "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    return orjson.loads(result.stdout)


@pytest.fixture
def profile_id(env: dict[str, str], tmp_path: Path) -> str:
    workspace = json_of(env, "workspace", "create", "Acme")
    profile = json_of(
        env, "profile", "create", "--workspace", workspace["id"], "Clinic",
        "--timezone", "America/Mexico_City",
    )  # fmt: skip
    events = [
        {"event_id": "e1", "anonymous_id": "a", "timestamp": NOON_UTC_MS, "url": "https://c.example/"},
        {"event_id": "e2", "anonymous_id": "a", "timestamp": NOON_UTC_MS + 60_000,
         "url": "https://c.example/book"},
        {"event_id": "e3", "anonymous_id": "b", "timestamp": NOON_UTC_MS, "url": "https://c.example/"},
    ]  # fmt: skip
    lines = [
        orjson.dumps({"type": "page_view", "ip": "81.2.69.142", "user_agent": CHROME} | e)
        for e in events
    ]
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    json_of(env, "import", "events", str(path), "--profile", profile["id"])
    return str(profile["id"])


def test_stats_json_summarizes_the_imported_traffic(env: dict[str, str], profile_id: str) -> None:
    report = json_of(
        env, "stats", "--profile", profile_id, "--from", "2026-03-09", "--to", "2026-03-10"
    )

    assert report["timezone"] == "America/Mexico_City"
    summary = report["summary"]
    assert (summary["visitors"], summary["visits"], summary["pageviews"]) == (2, 2, 3)
    assert summary["bounce_rate"] == 50.0
    assert [(d["date"], d["visits"]) for d in report["timeseries"]] == [
        ("2026-03-09", 2),
        ("2026-03-10", 0),
    ]


def test_stats_prints_a_readable_summary(env: dict[str, str], profile_id: str) -> None:
    result = invoke(
        env, "stats", "--profile", profile_id, "--from", "2026-03-09", "--to", "2026-03-09"
    )

    assert result.exit_code == 0, result.output
    for label in ("Visitors", "Visits", "Pageviews", "Bounce rate", "Engaged seconds"):
        assert label in result.stdout
    assert "50.00 %" in result.stdout


def test_a_reversed_range_is_an_invalid_date_range(env: dict[str, str], profile_id: str) -> None:
    result = invoke(
        env, "stats", "--profile", profile_id, "--from", "2026-03-10", "--to", "2026-03-09"
    )

    assert isinstance(result.exception, InvalidDateRange)


def test_an_unknown_profile_is_not_found(env: dict[str, str]) -> None:
    result = invoke(env, "stats", "--profile", "nope", "--from", "2026-03-09", "--to", "2026-03-09")

    assert isinstance(result.exception, NotFound)
    assert "nope" in str(result.exception)
