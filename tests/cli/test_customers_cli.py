"""`touchline customers erase`: the GDPR erase on a data directory fed through the ingest path
(no server: the command opens both planes itself)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson
from tests.api.pii import traces
from tests.attribution.journeys import T0, payment, visit, world
from typer.testing import CliRunner

from touchline.cli.main import app
from touchline.control.db import Database
from touchline.control.repos import customers
from touchline.errors import NotFound
from touchline.ingest.protocol import Identity
from touchline.store import open_store
from touchline.store.base import Sql

CONVERSIONS = Sql("SELECT count(*), sum(reporting_value) FROM conversions")


def test_erase_scrubs_both_planes_and_keeps_the_conversions(tmp_path: Path) -> None:
    w = world(tmp_path)
    who = Identity(email="Zoe@Example.com", phone="+1 415 555 0142", first_name="Zoe")
    w.send(
        visit("v-zoe", T0, url="https://shop.example/?utm_source=news&email=zoe%40example.com"),
        visit("v-zoe", T0 + timedelta(minutes=1), type="identify", identity=who),
    )
    w.send(payment(T0 + timedelta(hours=2), 120, ref="pi_z", email="zoe@example.com"),
           origin="webhook:stripe")  # fmt: skip
    database = Database.open(w.settings)
    with database.read() as session:
        found = customers.find(session, w.profile.profile_id, "email", "zoe@example.com")
    assert found is not None
    store = open_store(w.settings.resolved_event_store_url)
    before = store.query(CONVERSIONS)
    pii = ("zoe@example.com", "+14155550142", "415 555 0142", "v-zoe")
    assert traces(database, store, *pii)
    store.close()

    env = {"TOUCHLINE_DATA_DIR": str(w.settings.data_dir)}
    args = ["customers", "erase", found.id, "--profile", w.profile.profile_id, "--json"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, f"{result.stdout}{result.exception}"
    assert orjson.loads(result.stdout)["rows_scrubbed"]["conversions"] == 1

    store = open_store(w.settings.resolved_event_store_url)
    try:
        assert traces(database, store, *pii) == []
        assert store.query(CONVERSIONS) == before == [(1, before[0][1])]
    finally:
        store.close()
        database.close()
    again = CliRunner().invoke(app, args, env=env)
    assert isinstance(again.exception, NotFound)  # already erased
