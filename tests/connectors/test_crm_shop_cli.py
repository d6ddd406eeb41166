"""The CLI with the Shopify and GoHighLevel connectors: what `connect` requires and stores
(Shopify's paid-orders-as-cash switch among it), and `touchline sync ghl` from the command
line against recorded answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.connectors.fixture_server import FixtureServer, recorded
from typer.testing import CliRunner

from touchline.cli.main import app
from touchline.errors import InvalidParameter

LOCATION = "ve9EPM428h8vShlRW1KT"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "TOUCHLINE_DATA_DIR": str(tmp_path / "data"),
        "TOUCHLINE_PUBLIC_URL": "https://t.example",
    }


def run(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return orjson.loads(result.stdout)


@pytest.fixture
def profile_id(env: dict[str, str]) -> str:
    workspace = run(env, "workspace", "create", "A", "--json")
    return str(run(env, "profile", "create", "--workspace", workspace["id"], "Clinic",
                   "--json")["id"])  # fmt: skip


def test_shopify_needs_its_shop_and_webhook_secret(env: dict[str, str], profile_id: str) -> None:
    result = CliRunner().invoke(app, ["connect", "shopify", "--profile", profile_id,
                                      "--access-token", "shpat_x"], env=env)  # fmt: skip
    assert isinstance(result.exception, InvalidParameter)
    assert result.exception.message == "Shopify needs --shop, --webhook-secret"
    answer = run(env, "connect", "shopify", "--profile", profile_id, "--shop", "my-store",
                 "--webhook-secret", "shpss_1", "--json")  # fmt: skip
    assert answer["webhook_url"] == f"https://t.example/webhooks/shopify/{answer['id']}"
    assert (answer["config"], answer["secrets_set"]) == ({"shop": "my-store"}, ["webhook_secret"])


def test_shopify_paid_orders_are_cash_only_when_switched_on(
    env: dict[str, str], profile_id: str
) -> None:
    made = run(env, "connect", "shopify", "--profile", profile_id, "--shop", "my-store",
               "--webhook-secret", "shpss_1", "--paid-orders-as-cash", "--json")  # fmt: skip
    assert made["config"] == {"shop": "my-store", "paid_orders_as_cash": "true"}
    again = ("connect", "shopify", "--profile", profile_id, "--connection", made["id"])
    kept = run(env, *again, "--webhook-secret", "shpss_2", "--json")
    assert kept["config"]["paid_orders_as_cash"] == "true"  # not given: unchanged
    off = run(env, *again, "--no-paid-orders-as-cash", "--json")
    assert off["config"] == {"shop": "my-store", "paid_orders_as_cash": "false"}
    result = CliRunner().invoke(app, ["connect", "stripe", "--profile", profile_id,
                                      "--webhook-secret", "whsec_1", "--paid-orders-as-cash"],
                                env=env)  # fmt: skip
    assert isinstance(result.exception, InvalidParameter)
    assert "Stripe does not take --paid-orders-as-cash" in result.exception.message


def test_ghl_syncs_from_the_command_line(
    env: dict[str, str], profile_id: str, provider_api: FixtureServer
) -> None:
    for path, *files in [
        ("/contacts/", "contacts_page_1", "contacts_page_2"),
        ("/opportunities/pipelines", "pipelines"),
        ("/opportunities/search", "opportunities_page_1", "opportunities_page_2"),
        ("/calendars/", "calendars"),
        ("/calendars/events", "calendar_events_consultations", "calendar_events_treatment"),
    ]:
        provider_api.route("GET", path, *(recorded(f"ghl/{name}.json") for name in files))
    made = run(env, "connect", "ghl", "--profile", profile_id, "--location-id", LOCATION,
               "--access-token", "pit-cli", "--currency", "mxn", "--api-base", provider_api.url,
               "--json")  # fmt: skip
    assert made["config"] == {"location_id": LOCATION, "currency": "mxn",
                              "api_base": provider_api.url}  # fmt: skip
    assert "pit-cli" not in orjson.dumps(made).decode()
    (report,) = run(env, "sync", "ghl", "--profile", profile_id, "--json")
    assert (report["health"], report["pages"], report["events"]) == ("ok", 6, 13)
    (listed,) = run(env, "connections", "--profile", profile_id, "--json")
    assert sorted(listed["cursors"]) == ["calendar", "contacts", "opportunities"]
