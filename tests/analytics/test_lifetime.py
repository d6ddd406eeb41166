"""Lifetime value, cohorts, LTV cohorts and the erase's event-plane rewrite on both engines
(rows appended straight to the tables), against hand-computed numbers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import orjson
from tests.analytics.rows import DAY, P, append, conversion, link, load, session
from tests.store.engines import event_row, event_table

from touchline.analytics.cohorts import cohorts, ltv_cohorts
from touchline.analytics.lifetime import CohortGroup, first_touches, lifetimes
from touchline.domain.visitors import visitor_key
from touchline.processing.erasure import ErasurePlan, scrub_event_plane
from touchline.store.base import EventStore, Sql
from touchline.store.schema import SESSION_PAGES

ANN = visitor_key(P, "a")
LANDING = "https://shop.example/?utm_source=ig&e=ann%40x.io"


def seed(store: EventStore) -> None:
    """Ann: an Instagram visit, a $100 payment (refunded $30), a $500 pipeline deal, and $40
    a month later; Bob: a Google visit and a $10 payment."""
    month = timedelta(days=31)
    load(
        store,
        links=[link("anonymous_id", "a", "ann", visitor=ANN), link("email", "ann@x.io", "ann"),
               link("email", "bob@x.io", "bob")],
        sessions=[session(1, ANN, DAY - timedelta(hours=1), "Paid Social", utm_source="ig",
                          utm_campaign="spring", landing_url=LANDING),
                  session(2, 99, DAY, "Organic Search", referrer_domain="google.com")],
        conversions=[
            conversion("c1", value="100", identity_kind="email", identity_value="ann@x.io"),
            conversion("r1", value="-30", refund_of="c1", identity_kind="email",
                       identity_value="ann@x.io"),
            conversion("d1", value="500", revenue_type="pipeline", goal_key="deal_won",
                       identity_kind="email", identity_value="ann@x.io"),
            conversion("c2", ts=DAY + month, value="40", identity_kind="email",
                       identity_value="ann@x.io"),
            conversion("c3", value="10", identity_kind="email", identity_value="bob@x.io"),
        ],
    )  # fmt: skip


def test_lifetime_is_cash_net_of_refunds_and_counts_conversions(event_store: EventStore) -> None:
    seed(event_store)
    lives = lifetimes(event_store, profile_id=P, people=["ann", "bob", "nobody"])
    ann, bob = lives["ann"], lives["bob"]
    assert (ann.conversions, ann.ltv, ann.first_conversion_at) == (3, Decimal(110), DAY)
    assert ann.last_conversion_at == DAY + timedelta(days=31)
    assert (bob.conversions, bob.ltv) == (1, Decimal(10)) and "nobody" not in lives
    touches = first_touches(event_store, profile_id=P)
    assert (touches["ann"].source, touches["ann"].campaign) == ("ig", "spring")


def test_cohorts_and_ltv_cohorts(event_store: EventStore) -> None:
    seed(event_store)
    created = {"ann": DAY, "bob": DAY, "cy": DAY + timedelta(days=40)}
    by_month = cohorts(event_store, profile_id=P, timezone="UTC", created=created,
                       group=CohortGroup.MONTH)  # fmt: skip
    assert [(c.cohort, c.customers, c.converted, c.conversions, c.ltv) for c in by_month] == [
        ("2026-03", 2, 2, 4, Decimal(120)), ("2026-04", 1, 0, 0, Decimal(0)),
    ]  # fmt: skip
    by_source = cohorts(event_store, profile_id=P, timezone="UTC", created=created,
                        group=CohortGroup.SOURCE)  # fmt: skip
    assert [(c.cohort, c.customers) for c in by_source] == [("(direct)", 2), ("ig", 1)]
    rows = ltv_cohorts(event_store, profile_id=P, timezone="UTC", customers={"ann", "bob"},
                       months=3)  # fmt: skip
    assert [(r.cohort, r.customers, r.cumulative) for r in rows] == [
        ("2026-03", 2, (Decimal(80), Decimal(120), Decimal(120))),
    ]  # fmt: skip


def test_the_erase_rewrites_every_copy_and_keeps_the_numbers(event_store: EventStore) -> None:
    seed(event_store)
    identity = orjson.dumps({"email": "Ann@X.io", "first_name": "Ann"}).decode()
    event_store.append("events", event_table([
        event_row(profile_id=P, anonymous_id="a", url=LANDING, type="identify",
                  identity=identity),
        event_row(profile_id=P, anonymous_id="server", origin="webhook:stripe",
                  payload=orjson.dumps({"raw": '{"email": "ann@x.io", "name": "Ann Lee"}'})
                  .decode(), identity=orjson.dumps({"email": "ann@x.io"}).decode()),
        event_row(profile_id=P, anonymous_id="b", identity='{"first_name": "Annabel"}'),
    ]))  # fmt: skip
    pages = [(1, ANN, "/"), (1, ANN, "/thanks/ann@x.io"), (2, 99, "/")]  # (session, visitor, path)
    append(event_store, "session_pages", SESSION_PAGES.columns, [
        {"profile_id": P, "session_key": key, "visitor_key": visitor, "started_at": DAY,
         "path": path, "views": 1, "version": 1} for key, visitor, path in pages
    ])  # fmt: skip
    money = Sql("SELECT count(*), sum(reporting_value) FROM conversions")
    before = event_store.query(money)
    plan = ErasurePlan(
        profile_id=P,
        replaced={("email", "ann@x.io"): "erased:t1", ("anonymous_id", "a"): f"erased:v{ANN}"},
        visitor_keys=(ANN,), texts=("ann@x.io",), names=("ann", "ann lee"),
    )  # fmt: skip
    done = scrub_event_plane(event_store, plan)
    assert (done.tables["conversions"], done.tables["sessions"], done.tables["events"]) == (4, 1, 2)
    assert done.tables["session_pages"] == 1  # the other page of her visit is kept as it was
    stored = event_store.query(Sql("SELECT session_key, path FROM session_pages ORDER BY 1, 2"))
    assert [(key, "ann@x.io" in path) for key, path in stored] == [
        (1, False), (1, False), (2, False)
    ]  # fmt: skip
    assert event_store.query(money) == before
    text = str(event_store.query(Sql("SELECT * FROM events ORDER BY anonymous_id")))
    assert "ann@x.io" not in text.lower() and "Ann Lee" not in text
    assert "Annabel" in text  # another person's name is not a match
    kept = event_store.query(Sql("SELECT kind, value FROM identity_map ORDER BY value"))
    assert kept == [("email", "bob@x.io")]  # the old rows go; the mirror writes the tokens
    values = event_store.query(Sql("SELECT DISTINCT identity_value FROM conversions ORDER BY 1"))
    assert values == [("bob@x.io",), ("erased:t1",)]
    [(landing,)] = event_store.query(Sql("SELECT landing_url FROM sessions WHERE session_key = 1"))
    assert landing == "https://shop.example/?utm_source=ig&e=erased"
