"""`touchline identity show|merges|unmerge` on a data directory fed through the ingest path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.attribution.journeys import T0, World, days, visit, world
from typer.testing import CliRunner

from touchline.cli.main import app
from touchline.ingest.protocol import Identity

PHONE = "+14155552671"


def run(w: World, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, list(args), env={"TOUCHLINE_DATA_DIR": str(w.settings.data_dir)}
    )
    return result.exit_code, f"{result.stdout}{result.exception or ''}"


def as_json(w: World, *args: str) -> Any:
    code, out = run(w, *args, "--json")
    assert code == 0, out
    return orjson.loads(out)


@pytest.fixture
def merged(tmp_path: Path) -> World:
    """An email customer and a phone customer, merged by an identify carrying both."""
    w = world(tmp_path)
    at = T0 + timedelta(minutes=1)
    w.send(
        visit("mail", at, type="identify", identity=Identity(email="m@example.com")),
        visit("phone", at + days(1), type="identify", identity=Identity(phone=PHONE)),
    )
    both = Identity(email="m@example.com", phone=PHONE, first_name="Mia")
    w.send(visit("phone", at + days(2), type="identify", identity=both))
    return w


def test_merges_lists_the_merge_and_show_the_merged_customer(merged: World) -> None:
    pid = merged.profile.profile_id
    [merge] = as_json(merged, "identity", "merges", "--profile", pid)
    assert (merge["reason"], merge["moved"], merge["unmerged_at"]) == (
        "shared email+phone",
        2,
        None,
    )

    winner = as_json(merged, "identity", "show", merge["winner_id"])
    assert (winner["email"], winner["phone"], winner["display_name"]) == (
        "m@example.com",
        PHONE,
        "Mia",
    )
    assert {(i["kind"], i["value"]) for i in winner["identifiers"]} == {
        ("email", "m@example.com"),
        ("phone", PHONE),
        ("anonymous_id", "mail"),
        ("anonymous_id", "phone"),
    }
    loser = as_json(merged, "identity", "show", merge["loser_id"])
    assert (loser["merged_into_id"], loser["identifiers"]) == (merge["winner_id"], [])

    code, text = run(merged, "identity", "show", merge["loser_id"])
    assert code == 0 and f"merged into {merge['winner_id']}" in text


def test_unmerge_restores_both_and_refuses_a_second_time(merged: World) -> None:
    pid = merged.profile.profile_id
    [merge] = as_json(merged, "identity", "merges", "--profile", pid)

    undone = as_json(merged, "identity", "unmerge", merge["id"])
    assert undone == {
        "id": merge["id"],
        "winner_id": merge["winner_id"],
        "loser_id": merge["loser_id"],
    }
    loser = as_json(merged, "identity", "show", merge["loser_id"])
    assert loser["merged_into_id"] is None and loser["phone"] == PHONE
    assert {i["value"] for i in loser["identifiers"]} == {PHONE, "phone"}
    [listed] = as_json(merged, "identity", "merges", "--profile", pid)
    assert listed["unmerged_at"] is not None

    code, text = run(merged, "identity", "unmerge", merge["id"])
    assert code != 0 and "already undone" in text


@pytest.mark.parametrize("args", [("show", "nope"), ("unmerge", "nope")])
def test_unknown_ids_are_clear_errors(tmp_path: Path, args: tuple[str, ...]) -> None:
    code, text = run(world(tmp_path), "identity", *args)
    assert code != 0 and "not found" in text
