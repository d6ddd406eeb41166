"""The attribution verbs end to end: goals, FX import, attribution settings with recompute,
identity merges and unmerge, recompute."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.attribution.journeys import T0, days, payment, visit, world
from typer.testing import CliRunner

from touchline.cli.main import app
from touchline.ingest.protocol import Identity
from touchline.store import open_store
from touchline.store.base import Sql


def cli(data_dir: Path, *args: str, ok: bool = True) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"], env={"TOUCHLINE_DATA_DIR": str(data_dir)})
    if not ok:  # `app` (not `main`) leaves the TouchlineError on the result
        assert result.exit_code != 0
        return f"{result} {result.exception}"
    assert result.exit_code == 0, (result, result.exception)
    return orjson.loads(result.stdout)


def test_goals_fx_settings_identity_and_recompute(tmp_path: Path) -> None:
    w = world(tmp_path)
    data, pid = w.settings.data_dir, w.profile.profile_id
    ad = "https://shop.example/?utm_source=facebook&utm_medium=paid&utm_campaign=s&fbclid=q"
    w.send(
        visit("m", T0, url=ad),
        visit("m", T0 + timedelta(minutes=1), type="identify", identity=Identity(email="a@x.io")),
        visit("p", T0 + days(1), referrer="https://news.example/"),
        visit(
            "p",
            T0 + days(1) + timedelta(minutes=1),
            type="identify",
            identity=Identity(phone="+14155552671"),
        ),
        visit(
            "p",
            T0 + days(1) + timedelta(minutes=2),
            type="identify",
            identity=Identity(email="a@x.io", phone="+14155552671"),
        ),
    )
    w.send(payment(T0 + days(2), 40, ref="pi_1", email="a@x.io"), origin="webhook:test")

    goals = cli(data, "goals", "list", "--profile", pid)["goals"]
    assert [g["key"] for g in goals][:2] == ["payment_received", "lead_created"]
    assert (
        cli(
            data,
            "goals",
            "create",
            "--profile",
            pid,
            "trial_started",
            "--event",
            "trial_started",
            "--revenue-type",
            "pipeline",
        )["key"]
        == "trial_started"
    )
    refused = cli(
        data,
        "goals",
        "create",
        "--profile",
        pid,
        "scrolls",
        "--event",
        "scroll_depth",
        "--revenue-type",
        "cash",
        ok=False,
    )
    assert "never become conversions" in refused

    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,per_eur\n2026-03-02,COP,4300.5\n")
    assert cli(data, "import", "fx-rates", str(rates)) == {"imported": 1}
    rates.write_text("date,currency,per_eur\n2026-03-02,COP,-1\n")
    assert "line 2" in cli(data, "import", "fx-rates", str(rates), ok=False)

    [merge] = cli(data, "identity", "merges", "--profile", pid)
    assert merge["reason"] == "shared email+phone"
    assert cli(data, "identity", "unmerge", merge["id"])["loser_id"] == merge["loser_id"]
    again = cli(data, "identity", "unmerge", merge["id"], ok=False)
    assert "already undone" in again

    changed = cli(
        data,
        "profile",
        "attribution",
        "--profile",
        pid,
        "--click-window-days",
        "7",
        "--weights",
        "30/30/40",
    )
    assert changed["click_window_days"] == 7 and changed["recompute"]["conversions"] == 1
    assert "click window must be 1-365" in cli(
        data, "profile", "attribution", "--profile", pid, "--click-window-days", "400", ok=False
    )
    assert cli(data, "recompute", "--profile", pid)["conversions"] == 1

    store = open_store(w.settings.resolved_event_store_url)
    try:
        # The unmerge reached the event plane: the payment's customer lost the phone visitor.
        rows = store.query(Sql("SELECT channel FROM credits ORDER BY position"))
        assert [r[0] for r in rows] == ["Paid Social"]
    finally:
        store.close()


@pytest.mark.parametrize("args", [("identity", "show", "nope"), ("recompute", "--profile", "x")])
def test_unknown_ids_are_clear_errors(tmp_path: Path, args: tuple[str, ...]) -> None:
    world(tmp_path)
    result = cli(tmp_path / "data", *args, ok=False)
    assert "not found" in result
