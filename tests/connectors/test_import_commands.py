"""`touchline import meta-insights|google-ads|gsc FILE --profile ID`: the commands reach these
connectors' importers, load what they bring, and a second run loads nothing new."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.connectors.fixture_server import FIXTURES
from typer.testing import CliRunner

from touchline.cli.main import app
from touchline.errors import InvalidPayload


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"TOUCHLINE_DATA_DIR": str(tmp_path / "data")}


def run(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return orjson.loads(result.stdout)


@pytest.fixture
def profile_id(env: dict[str, str]) -> str:
    workspace = run(env, "workspace", "create", "Agency", "--json")
    made = run(env, "profile", "create", "--workspace", workspace["id"], "Clinic", "--json")
    return str(made["id"])


@pytest.mark.parametrize(
    ("kind", "fixture", "records"),
    [
        (
            "meta-insights",
            "meta/insights_export.json",
            7 + 7 + 5 + 5,
        ),  # entities, ad, set, campaign
        ("meta-insights", "meta/ads_manager_ads.csv", 7 + 5 + 3 + 3),
        ("google-ads", "google_ads/campaign_report.csv", 2 + 4),
        ("gsc", "gsc/export.csv", 3),
    ],
)
def test_an_import_loads_its_records_once(
    env: dict[str, str], profile_id: str, kind: str, fixture: str, records: int
) -> None:
    path = str(FIXTURES / fixture)
    first = run(env, "import", kind, path, "--profile", profile_id, "--json")
    assert (first["kind"], first["imported"], first["loaded"]) == (kind, records, records)
    again = run(env, "import", kind, path, "--profile", profile_id, "--json")
    assert (again["imported"], again["loaded"]) == (records, 0)


def test_a_bad_file_exits_with_invalid_input_naming_the_line(
    env: dict[str, str], profile_id: str, tmp_path: Path
) -> None:
    bad = tmp_path / "report.csv"
    bad.write_text("Campaign,Day,Cost\nBrand,2026-10-05,lots\n")
    result = CliRunner().invoke(
        app, ["import", "google-ads", str(bad), "--profile", profile_id], env=env
    )
    assert isinstance(result.exception, InvalidPayload), result.output
    assert result.exception.exit_code == 2
    assert result.exception.message == "line 2: 'lots' is not a number"
