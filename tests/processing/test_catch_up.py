"""Server start after a kill between a batch's commit and its after-load steps: the whole chain
runs again over the recent events, so an acknowledged payment still becomes its conversion, and
running it twice changes nothing (on DuckDB and on chdb)."""

from __future__ import annotations

from tests.processing.conversion_plane import T0, Plane, browser, plane, server
from tests.store.engines import event_table

from touchline.processing.after_load import catch_up
from touchline.store.base import Sql

__all__ = ["plane"]


def test_a_batch_whose_steps_never_ran_gets_its_sessions_identities_and_conversions(
    plane: Plane,
) -> None:
    visit = browser(plane, "page_view", T0)
    pay = server(plane, "payment_received", T0, amount="49.99", provider_ref="pi_1",
                 identity={"email": "ana@example.com"})  # fmt: skip
    plane.store.append("events", event_table([visit, pay]))  # committed, then killed
    assert plane.rows("conversion_id") == []
    profiles = {plane.profile.profile_id: plane.profile}

    assert catch_up(database=plane.database, store=plane.store, profiles=profiles) == 2
    assert plane.rows("conversion_id, goal_key") == [(pay["event_id"], "payment_received")]
    [(sessions,)] = plane.store.query(Sql("SELECT count(*) FROM sessions"))
    assert sessions == 1
    [(version,)] = plane.rows("version")

    catch_up(database=plane.database, store=plane.store, profiles=profiles)  # a second start
    assert plane.rows("conversion_id, version") == [(pay["event_id"], version)]


def test_catching_up_on_an_empty_store_does_nothing(plane: Plane) -> None:
    assert catch_up(database=plane.database, store=plane.store, profiles={}) == 0
