"""The customer list, the customer timeline and the visitor list on both engines, over
tests/analytics/people.py: touches up to each conversion, lifetime totals net of refunds,
keyset order and cursors, synthetic touches on timeline events, nothing across profiles."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.analytics.people import CUSTOMER, SYNTHETIC, T, seed_people
from tests.analytics.rows import P

from touchline.analytics.customers import CustomerQuery, customer_page
from touchline.analytics.query import Period
from touchline.analytics.timeline import customer_timeline
from touchline.analytics.visitors import VisitorQuery, visitor_page
from touchline.store.base import EventStore

MARCH_20 = Period(date(2026, 3, 20), date(2026, 3, 20))


def test_customer_rows_carry_touches_up_to_the_conversion(event_store: EventStore) -> None:
    seed_people(event_store)
    page = customer_page(event_store, CustomerQuery(P, MARCH_20, "payment_received", 10))
    assert [(r.conversion_id, r.customer_id) for r in page.rows] == [
        ("theirs", "cust-2"),  # same instant as pay1: id descending
        ("pay1", CUSTOMER),
    ]
    pay = page.rows[1]
    assert pay.touch_count == 5  # 3 visits, the impression, the synthetic touch
    assert pay.touch_channels == ("Paid Social", "Email", "Direct")
    assert pay.last_touch is not None and pay.last_touch.touch_key == SYNTHETIC
    assert pay.visit is not None and (pay.visit.country, pay.visit.device) == ("US", "mobile")
    assert pay.time_to_complete_seconds == 40 * 86400
    assert (pay.conversion_count, pay.total_revenue) == (1, Decimal("70"))  # 100 less 30 refund
    assert (pay.revenue, pay.revenue_type) == (Decimal("100"), "cash")
    assert not page.has_next


def test_customer_pages_continue_after_the_cursor(event_store: EventStore) -> None:
    seed_people(event_store)
    first = customer_page(event_store, CustomerQuery(P, MARCH_20, "payment_received", 1))
    assert [r.conversion_id for r in first.rows] == ["theirs"] and first.has_next
    after = first.rows[-1].cursor
    second = customer_page(
        event_store, CustomerQuery(P, MARCH_20, "payment_received", 1, after=after)
    )
    assert [r.conversion_id for r in second.rows] == ["pay1"] and not second.has_next
    only = customer_page(
        event_store, CustomerQuery(P, MARCH_20, "payment_received", 5, people=("cust-2",))
    )
    assert [r.conversion_id for r in only.rows] == ["theirs"]
    other = customer_page(event_store, CustomerQuery("p-other", MARCH_20, "payment_received", 5))
    assert other.rows == ()


def test_timeline_marks_the_synthetic_lead_and_shows_server_side_money(
    event_store: EventStore,
) -> None:
    seed_people(event_store)
    events = customer_timeline(event_store, profile_id=P, customer_id=CUSTOMER)
    assert [(e.key, e.event_type) for e in events] == [
        ("browse", "contact_reply"),
        ("lead1", "lead_created"),
        ("pay1", "payment_received"),
        ("refund1", "payment_refunded"),
    ]
    lead = events[1]
    assert (lead.is_synthetic, lead.channel, lead.campaign) == (True, "Paid Social", "Spring sale")
    assert (lead.url, lead.device) == (None, None)
    assert (events[2].source, events[2].value_amount) == ("stripe", Decimal("100"))
    assert events[3].value_amount == Decimal("-30")
    assert customer_timeline(event_store, profile_id="p-other", customer_id=CUSTOMER) == ()


def test_visitors_of_a_period_with_the_persons_lifetime_cash(event_store: EventStore) -> None:
    seed_people(event_store)
    period = Period((T - timedelta(days=2)).date(), T.date())
    page = visitor_page(event_store, VisitorQuery(P, period, 10))
    assert [(r.customer_id, r.channel, r.total_revenue) for r in page.rows] == [
        (None, "Referral", 0),  # the stranger and the other customer tie; key descending
        ("cust-2", "Paid Search", Decimal("5")),
        (CUSTOMER, "Direct", Decimal("70")),  # 100 paid, 30 refunded
    ]
    phone = page.rows[2]
    assert (phone.session_count, phone.country, phone.touch_channels) == (1, "US", ("Direct",))
    short = visitor_page(event_store, VisitorQuery(P, period, 2))
    assert len(short.rows) == 2 and short.has_next
    assert visitor_page(event_store, VisitorQuery(P, period, 5, people=(CUSTOMER,))).rows == (
        page.rows[2],
    )
