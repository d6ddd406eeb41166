"""The identity graph end to end: events imported through the real ingest path, loaded, linked
by the after-load identity step, and joined to sessions by visitor key in the event plane."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tests.attribution.journeys import T0, World, days, visit, world

from touchline.control.db import Database
from touchline.control.models.customer import IdentityMerge
from touchline.identity.graph import next_identifier_version, unmerge
from touchline.identity.mirror import sync_identity_map
from touchline.ingest.protocol import Identity
from touchline.store import open_store
from touchline.store.base import Sql

SESSION_CUSTOMERS = """SELECT s.session_key, m.customer_id FROM sessions s
JOIN identity_map m ON m.profile_id = s.profile_id AND m.visitor_key = s.visitor_key
WHERE m.kind = 'anonymous_id' ORDER BY s.started_at"""


def query(w: World, sql: str) -> list[tuple[Any, ...]]:
    store = open_store(w.settings.resolved_event_store_url)
    try:
        return store.query(Sql(sql))
    finally:
        store.close()


def customer_of(w: World, kind: str, value: str) -> str:
    [(customer,)] = query(
        w, f"SELECT customer_id FROM identity_map WHERE kind = '{kind}' AND value = '{value}'"
    )
    return str(customer)


def test_identify_links_the_visitors_past_sessions_to_the_customer(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.send(visit("v1", T0), visit("v1", T0 + days(2)))  # two sessions, still anonymous
    w.send(
        visit(
            "v1",
            T0 + days(2) + timedelta(minutes=1),
            type="identify",
            identity=Identity(email="Ana@Example.com", first_name="Ana"),
        )
    )

    customer = customer_of(w, "email", "ana@example.com")
    rows = query(w, SESSION_CUSTOMERS)
    assert len(rows) == 2 and {c for _, c in rows} == {customer}


def test_email_and_phone_meeting_merge_into_the_email_customer_and_unmerge_restores(
    tmp_path: Path,
) -> None:
    w = world(tmp_path)
    identify = T0 + timedelta(minutes=1)
    w.send(
        visit("mail", T0),
        visit("mail", identify, type="identify", identity=Identity(email="m@example.com")),
        visit("phone", T0 + days(1)),
        visit(
            "phone",
            identify + days(1),
            type="identify",
            identity=Identity(phone="+14155552671"),
        ),
    )
    mail, phone = customer_of(w, "email", "m@example.com"), customer_of(w, "phone", "+14155552671")
    assert mail != phone

    w.send(
        visit(
            "phone",
            identify + days(1) + timedelta(minutes=1),
            type="identify",
            identity=Identity(email="m@example.com", phone="+14155552671"),
        )
    )
    assert {c for _, c in query(w, SESSION_CUSTOMERS)} == {mail}  # §9 #64: the email wins

    database = Database.open(w.settings)
    store = open_store(w.settings.resolved_event_store_url)
    try:
        with database.transaction() as session:
            [merge] = session.scalars(select(IdentityMerge)).all()
            assert (merge.winner_id, merge.loser_id) == (mail, phone)
            unmerge(session, merge.id, now=T0, version=next_identifier_version(session, 0))
        sync_identity_map(database=database, store=store)
    finally:
        store.close()
        database.close()
    assert [c for _, c in query(w, SESSION_CUSTOMERS)] == [mail, phone]
    assert customer_of(w, "phone", "+14155552671") == phone
