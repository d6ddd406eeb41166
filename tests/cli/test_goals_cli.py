"""`touchline goals …` and `touchline import fx-rates`: scripts get JSON, mistakes clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.attribution.journeys import world
from typer.testing import CliRunner

from touchline.cli.main import app


def cli(data_dir: Path, *args: str, ok: bool = True) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"], env={"TOUCHLINE_DATA_DIR": str(data_dir)})
    if not ok:  # `app` (not `main`) leaves the TouchlineError on the result
        assert result.exit_code != 0
        return str(result.exception)
    assert result.exit_code == 0, (result, result.exception)
    return orjson.loads(result.stdout)


@pytest.fixture
def profile(tmp_path: Path) -> tuple[Path, str]:
    w = world(tmp_path)
    return w.settings.data_dir, w.profile.profile_id


def test_goals_list_shows_the_defaults_then_custom_goals(profile: tuple[Path, str]) -> None:
    data, pid = profile
    created = cli(
        data, "goals", "create", "--profile", pid, "demo_call", "--event", "demo_booked",
        "--event", "demo_call", "--revenue-type", "pipeline", "--name", "Demo call",
        "--no-attribution",
    )  # fmt: skip
    assert created == {"id": "demo_call", "key": "demo_call", "revenue_type": "pipeline"}
    listed = cli(data, "goals", "list", "--profile", pid)
    assert [(g["key"], g["revenue_type"]) for g in listed["goals"]] == [
        ("payment_received", "cash"),
        ("lead_created", "pipeline"),
        ("appointment_booked", "pipeline"),
        ("closed_won", "pipeline"),
        ("order_placed", "gross"),
        ("contact_reply", "pipeline"),
        ("demo_call", "pipeline"),
    ]
    assert listed["goals"][-1] == {
        "key": "demo_call",
        "name": "Demo call",
        "source_events": ["demo_booked", "demo_call"],
        "revenue_type": "pipeline",
        "attribution_eligible": False,
    }


def test_stage_overrides_are_set_listed_and_removed(profile: tuple[Path, str]) -> None:
    data, pid = profile
    mapped = cli(data, "goals", "map-stage", "--profile", pid, "Closed  LOST", "closed_lost")
    assert mapped == {"id": "closed lost", "stage": "closed lost", "goal_key": "closed_lost"}
    cli(data, "goals", "map-stage", "--profile", pid, "Spam", "")
    assert cli(data, "goals", "list", "--profile", pid)["stage_mappings"] == {
        "closed lost": "closed_lost",
        "spam": "",
    }
    assert cli(data, "goals", "unmap-stage", "--profile", pid, "spam")["removed"] is True
    assert "no mapping" in cli(data, "goals", "unmap-stage", "--profile", pid, "spam", ok=False)
    assert "unknown goal key" in cli(
        data, "goals", "map-stage", "--profile", pid, "Won", "won", ok=False
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--event", "heartbeat", "--revenue-type", "cash"), "never become conversions"),
        (("--event", "payment_received", "--revenue-type", "cash"), "already make"),
        (("--event", "x", "--revenue-type", "profit"), "cash, pipeline, gross"),
    ],
)
def test_a_refused_goal_says_why(
    profile: tuple[Path, str], args: tuple[str, ...], message: str
) -> None:
    data, pid = profile
    assert message in cli(data, "goals", "create", "--profile", pid, "custom", *args, ok=False)


def test_an_unknown_profile_is_not_found(profile: tuple[Path, str]) -> None:
    data, _ = profile
    assert "not found" in cli(data, "goals", "list", "--profile", "nope", ok=False)


def test_fx_rates_import_all_or_nothing(profile: tuple[Path, str], tmp_path: Path) -> None:
    data, _ = profile
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,per_eur\n2026-03-02,COP,4300.5\n2026-03-02,ARS,1050\n")
    assert cli(data, "import", "fx-rates", str(rates)) == {"imported": 2}
    rates.write_text("date,currency,per_eur\n2026-03-03,COP,4301\n2026-03-03,UYU,zero\n")
    refused = cli(data, "import", "fx-rates", str(rates), ok=False)
    assert "line 3" in refused and "nothing imported" in refused


def test_a_goals_sources_are_edited_a_default_goals_too(profile: tuple[Path, str]) -> None:
    data, pid = profile
    edited = cli(data, "goals", "edit", "--profile", pid, "order_placed", "--add-event", "purchase")
    assert edited["source_events"] == ["order_placed", "purchase"]
    assert edited["revenue_type"] == "gross"
    listed = cli(data, "goals", "list", "--profile", pid)["goals"]
    assert [g["source_events"] for g in listed if g["key"] == "order_placed"] == [
        ["order_placed", "purchase"]
    ]
    swapped = cli(data, "goals", "edit", "--profile", pid, "order_placed", "--remove-event",
                  "order_placed", "--add-event", "shop_order")  # fmt: skip
    assert swapped["source_events"] == ["purchase", "shop_order"]

    def refused(*args: str) -> str:
        return str(cli(data, "goals", "edit", "--profile", pid, *args, ok=False))

    assert "'payment_received'" in refused("order_placed", "--add-event", "payment_received")
    assert "at least one source event" in refused(
        "order_placed", "--remove-event", "purchase", "--remove-event", "shop_order"
    )
    assert "never become conversions" in refused("order_placed", "--add-event", "page_view")
    assert "no goal 'nope'" in refused("nope", "--add-event", "x")
    # Nothing refused was kept.
    listed = cli(data, "goals", "list", "--profile", pid)["goals"]
    assert [g["source_events"] for g in listed if g["key"] == "order_placed"] == [
        ["purchase", "shop_order"]
    ]
