"""Booking widgets (GoHighLevel, Calendly and Cal.com messages from a cross-origin iframe, a
custom pattern, a booked hash) give one `appointment_booked` per session, identifying the
visitor when the message has contact details; a Stripe Checkout return gives one
`stripe_checkout_completed` and leaves the URL without the session id, whichever of Stripe's
three parameters carries it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Frame, Page
from tests.browser.harness import Site, Touchline

from touchline.control.repos import customers


def widget(page: Page) -> Frame:
    page.wait_for_selector("#widget")
    frame = page.frame(url=lambda url: url.endswith("/widget.html"))
    assert frame is not None
    frame.wait_for_load_state()
    return frame


def test_a_ghl_booking_counts_once_per_session_and_identifies_the_visitor(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("booking.html"))
    frame = widget(page)
    frame.evaluate("book('ghl')")
    frame.evaluate("book('ghl')")  # the widget repeats itself
    frame.evaluate("book('calendly')")  # and another widget in the same session
    [booked] = touchline.recorder.wait_for(name="appointment_booked")
    [identify] = touchline.recorder.events(type="identify")
    assert booked["payload"] == {"widget": "ghl"}
    assert identify["identity"] == {
        "email": "Gina@Example.com",
        "phone": "+1 415 555 2671",
        "first_name": "Gina",
        "last_name": "Lopez",
    }
    page.evaluate("atribuTracker.flush()")
    page.wait_for_timeout(300)
    assert len(touchline.recorder.events(name="appointment_booked")) == 1

    touchline.settle()
    assert touchline.rows("SELECT name, payload FROM events WHERE type = 'track'") == [
        ("appointment_booked", '{"widget":"ghl"}')
    ]
    with touchline.runtime.database.read() as session:
        customer = customers.find(session, touchline.profile_id, "email", "gina@example.com")
    assert customer is not None
    assert touchline.rows(
        "SELECT customer_id FROM identity_map WHERE kind = 'anonymous_id' AND value = $v",
        v=booked["anonymous_id"],
    ) == [(customer.id,)]
    [(conversion,)] = touchline.rows("SELECT goal_key FROM conversions")
    assert conversion == "appointment_booked"


AGE_SESSION = """const state = JSON.parse(localStorage.getItem('atribu_session'));
state.last -= 31 * 60000; localStorage.setItem('atribu_session', JSON.stringify(state))"""


def test_after_the_session_timed_out_a_repeated_booking_still_counts_once(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("booking.html"))
    [view] = touchline.recorder.wait_for(type="page_view")
    frame = widget(page)
    # 31 minutes without events: the booking's events start a new session, which is the one
    # that must carry the mark, or the widget's repeat counts again in it.
    page.evaluate(AGE_SESSION)
    frame.evaluate("book('ghl')")
    frame.evaluate("book('ghl')")
    [first] = touchline.recorder.wait_for(name="appointment_booked")
    page.evaluate("atribuTracker.flush()")
    page.wait_for_timeout(300)
    assert len(touchline.recorder.events(name="appointment_booked")) == 1
    assert first["session_id"] != view["session_id"]
    # And a booked session's mark does not outlive it: the next session's booking counts.
    page.evaluate(AGE_SESSION)
    frame.evaluate("book('calendly')")
    second = touchline.recorder.wait_for(2, name="appointment_booked")[1]
    assert second["payload"] == {"widget": "calendly"}
    assert second["session_id"] not in (view["session_id"], first["session_id"])

    touchline.settle()
    assert touchline.rows(
        "SELECT session_id FROM events WHERE name = 'appointment_booked' ORDER BY ts"
    ) == [(first["session_id"],), (second["session_id"],)]


def test_calendly_cal_com_custom_and_hash_bookings_each_name_their_widget(
    browser_page: Callable[[], Page], site: Site, touchline: Touchline
) -> None:
    site.globals["BOOKING_PATTERNS"] = [{"match": "booking-confirmed", "widget": "my_scheduler"}]
    for kind, widget_name in (
        ("calendly", "calendly"),
        ("calcom", "calcom"),
        ("custom", "my_scheduler"),
    ):
        page = browser_page()
        page.goto(site.url("booking.html"))
        widget(page).evaluate(f"book('{kind}')")
        touchline.recorder.wait_for(name="appointment_booked", payload={"widget": widget_name})
    page = browser_page()
    page.goto(site.url("booking.html#booked"))
    touchline.recorder.wait_for(name="appointment_booked", payload={"widget": "hash"})
    identities = [e["identity"] for e in touchline.recorder.events(type="identify")]
    assert identities == [{"email": "cal@example.com", "first_name": "Cal", "last_name": "Jones"}]

    touchline.settle()
    assert touchline.rows(
        "SELECT json_extract_string(payload, '$.widget') AS w, count(DISTINCT visitor_key)"
        " FROM events WHERE name = 'appointment_booked' GROUP BY w ORDER BY w"
    ) == [("calcom", 1), ("calendly", 1), ("hash", 1), ("my_scheduler", 1)]


@pytest.mark.parametrize("parameter", ["session_id", "checkout_session", "checkout_session_id"])
def test_a_stripe_checkout_return_fires_once_and_cleans_the_url(
    page: Page, site: Site, touchline: Touchline, parameter: str
) -> None:
    page.goto(
        site.url(f"thank-you.html?{parameter}=cs_test_a1B2c3&plan=pro"),
        referer="https://checkout.stripe.com/",
    )
    [completed] = touchline.recorder.wait_for(name="stripe_checkout_completed")
    assert completed["payload"] == {"checkout_session_id": "cs_test_a1B2c3"}
    page.wait_for_function("!location.search.includes('cs_test_')")
    assert page.url == site.url("thank-you.html?plan=pro")
    page.reload()
    touchline.recorder.wait_for(2, type="page_view")
    page.evaluate("atribuTracker.flush()")
    page.wait_for_timeout(300)
    assert len(touchline.recorder.events(name="stripe_checkout_completed")) == 1

    touchline.settle()
    assert touchline.rows(
        "SELECT name, is_payment_return FROM events WHERE type IN ('page_view', 'track')"
        " ORDER BY ts, name"
    ) == [("page_view", True), ("stripe_checkout_completed", True), ("page_view", False)]
