"""`touchline connect`, `connections`, `sync`, `disconnect`: JSON shapes, secrets never
printed back, clean errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.connectors.fake import Script, fake_connector
from typer.testing import CliRunner

from touchline.cli.main import app
from touchline.errors import InvalidParameter

__all__ = ["fake_connector"]
SECRET = "whsec_super_secret_1234"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "TOUCHLINE_DATA_DIR": str(tmp_path / "data"),
        "TOUCHLINE_PUBLIC_URL": "https://t.example",
    }


def run(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def refused(env: dict[str, str], *args: str) -> str:
    """The message of the error `touchline` reports (exit code 2: invalid parameter)."""
    result = CliRunner().invoke(app, list(args), env=env)
    assert isinstance(result.exception, InvalidParameter), (result.output, result.exception)
    assert result.exception.exit_code == 2
    return result.exception.message


@pytest.fixture
def profile_id(env: dict[str, str]) -> str:
    workspace = orjson.loads(run(env, "workspace", "create", "A", "--json").stdout)
    made = run(env, "profile", "create", "--workspace", workspace["id"], "Clinic", "--json")
    return str(orjson.loads(made.stdout)["id"])


def test_connect_prints_the_webhook_url_and_never_the_secret(
    env: dict[str, str], profile_id: str, fake_connector: Script
) -> None:
    result = run(env, "connect", "stripe", "--profile", profile_id,
                 "--webhook-secret", SECRET, "--json")  # fmt: skip
    answer = orjson.loads(result.stdout)
    connection_id = answer["connection_id"]
    assert answer["id"] == connection_id
    assert answer["webhook_url"] == f"https://t.example/webhooks/stripe/{connection_id}"
    assert answer["secrets_set"] == ["webhook_secret"]
    human = run(env, "connect", "stripe", "--profile", profile_id, "--webhook-secret", SECRET)
    listed = run(env, "connections", "--profile", profile_id, "--json")
    text = run(env, "connections", "--profile", profile_id)
    for output in (result.output, human.output, listed.output, text.output):
        assert SECRET not in output
    assert [c["health"] for c in orjson.loads(listed.stdout)] == ["never", "never"]
    assert "Webhook URL: https://t.example/webhooks/stripe/" in human.output


def test_connect_refuses_options_the_provider_does_not_take(
    env: dict[str, str], profile_id: str, fake_connector: Script
) -> None:
    message = refused(env, "connect", "stripe", "--profile", profile_id, "--webhook-secret",
                      "s", "--shop", "a.myshopify.com")  # fmt: skip
    assert "does not take --shop" in message


def test_sync_runs_the_connector_and_reports_pages_and_health(
    env: dict[str, str], profile_id: str, fake_connector: Script
) -> None:
    fake_connector.pages = [["p1"], ["p2"]]
    run(env, "connect", "stripe", "--profile", profile_id, "--webhook-secret", "s")
    result = run(env, "sync", "stripe", "--profile", profile_id, "--since", "2026-01-01",
                 "--json")  # fmt: skip
    [report] = orjson.loads(result.stdout)
    assert (report["pages"], report["events"], report["health"]) == (2, 2, "ok")
    assert report["loaded"] == 2
    assert str(fake_connector.since[0]) == "2026-01-01"
    bad = refused(env, "sync", "stripe", "--profile", profile_id, "--since", "yesterday")
    assert "--since must be a date" in bad


def test_disconnect_disables_the_connection(
    env: dict[str, str], profile_id: str, fake_connector: Script
) -> None:
    made = run(env, "connect", "stripe", "--profile", profile_id, "--webhook-secret", "s",
               "--json")  # fmt: skip
    connection_id = orjson.loads(made.stdout)["connection_id"]
    gone = orjson.loads(run(env, "disconnect", connection_id, "--json").stdout)
    assert gone["status"] == "disabled"
