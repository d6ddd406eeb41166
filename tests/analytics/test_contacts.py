"""The `/contacts` scan and journeys on both engines (rows appended straight to the tables),
and the batch arithmetic of `records_processed`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tests.analytics.rows import DAY, P, conversion, link, load, session

from touchline.analytics.contact_journeys import contact_journeys
from touchline.analytics.contacts import ContactFilter, ScanPage, scan
from touchline.domain.contacts import TouchScope
from touchline.store.base import EventStore, Sql

ANN, ANON = 11, 12
LANDING = "https://shop.example/landing?utm_source=ig"


def seed(store: EventStore) -> None:
    hour = timedelta(hours=1)
    load(
        store,
        links=[link("anonymous_id", "a", "ann", visitor=ANN), link("email", "a@x.io", "ann")],
        sessions=[
            session(1, ANN, DAY, "Paid Social", utm_source="ig", landing_url=LANDING),
            session(2, ANON, DAY + hour, "Organic Search", referrer_domain="google.com"),
            session(3, ANN, DAY + 2 * hour, "Organic Search", referrer_domain="google.com",
                    ended_at=DAY + 2 * hour + timedelta(minutes=5)),
            session(4, ANN, DAY + 30 * hour, "Direct"),
        ],
        conversions=[conversion("c1", ts=DAY + 2 * hour + timedelta(minutes=20),
                                identity_kind="email", identity_value="a@x.io")],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "contacts", "total"),
    [
        ({}, ("ann",), 4),
        ({"touch_scope": TouchScope.CONVERTING, "medium": "organic"}, ("ann",), 1),
        (
            {"touch_scope": TouchScope.FIRST, "source": "ig", "landing_page": LANDING[:28]},
            ("ann",),
            1,
        ),
        ({"touch_scope": TouchScope.AFTER}, ("ann",), 1),
        ({"touch_scope": TouchScope.ASSIST}, (), 0),  # she converted in her second visit
        ({"source": "google.com", "touch_scope": TouchScope.FIRST}, (), 0),  # only the anon's
        ({"meta_type": "payment_received", "touch_scope": TouchScope.FIRST}, (), 0),
    ],
)
def test_scan_on_both_engines(
    event_store: EventStore, fields: dict[str, Any], contacts: tuple[str, ...], total: int
) -> None:
    seed(event_store)
    page = scan(event_store, ContactFilter(profile_id=P, **fields))
    assert (page.contacts, page.total_records if contacts else 0) == (contacts, total)


def test_journeys_on_both_engines(event_store: EventStore) -> None:
    seed(event_store)
    journey = contact_journeys(event_store, profile_id=P, people=["ann"])["ann"]
    assert [s.started_at for s in journey.sessions] == [
        DAY, DAY + timedelta(hours=2), DAY + timedelta(hours=30),
    ]  # fmt: skip
    converted = [s.conversion.conversion_id if s.conversion else None for s in journey.sessions]
    assert converted == [None, "c1", None]  # 20 minutes after the visit's last event
    assert [c.conversion_id for c in journey.conversions] == ["c1"]
    first = journey.sessions[0]
    assert (first.source, first.medium, first.landing_page) == (
        "ig", "cpc", "https://shop.example/landing",
    )  # fmt: skip


class Rows:
    """A store answering the scan with fixed (person, first row number, total) rows."""

    def __init__(self, rows: list[tuple[str, int, int]]) -> None:
        self.rows = rows

    def query(self, sql: Sql, **_: Any) -> list[tuple[str, int, int]]:
        return self.rows


def paged(rows: list[tuple[str, int, int]], offset: int = 0) -> ScanPage:
    store: Any = Rows(rows)
    return scan(store, ContactFilter(profile_id=P, offset=offset))


def test_records_processed_ends_at_the_batch_of_the_fiftieth_contact() -> None:
    rows = [(f"p{n}", 10 * n, 900) for n in range(1, 52)]  # 50th at 500, 51st at 510
    page = paged(rows)
    assert (len(page.contacts), page.records_processed, page.has_more) == (50, 509, True)
    spread = [(f"p{n}", 5 * n, 900) for n in range(1, 51)] + [("p51", 700, 900)]
    assert paged(spread).records_processed == 400  # the 50th at 250: batches 1-200, 201-400
    later = [(f"p{n}", 300 + n, 900) for n in range(1, 52)]
    assert paged(later, offset=100).records_processed == 350  # 100 + 2 batches < 351
    assert paged([("p1", 40, 900)], offset=10) == ScanPage(("p1",), 900, 900)
