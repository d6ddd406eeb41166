"""Form auto-capture: contact details found by type, name and autocomplete (hidden, invisible
and password fields ignored), identify() before `lead_submitted`, forms that navigate away
(delivered by the page-hide beacon), forms without contact details, and GoHighLevel's div
forms seen through fetch(); forms started and left unsubmitted (`form_abandoned`, counts only,
never values). Stored: the events, and the visitor linked to a customer."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page
from tests.browser.harness import Site, Touchline, show_tab, wait_until

from touchline.control.repos import customers


def customer_of(touchline: Touchline, kind: str, value: str) -> customers.CustomerRecord:
    with touchline.runtime.database.read() as session:
        found = customers.find(session, touchline.profile_id, kind, value)
    assert found is not None, f"no customer with {kind} {value}"
    return found


def linked_customer(touchline: Touchline, anonymous_id: str) -> str:
    [(customer,)] = touchline.rows(
        "SELECT customer_id FROM identity_map WHERE kind = 'anonymous_id' AND value = $id",
        id=anonymous_id,
    )
    return str(customer)


def names(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events if e["type"] in ("identify", "track")]


def test_a_contact_form_identifies_the_visitor_then_records_the_lead(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("forms.html"))
    page.fill("#contact [name=name]", "Ana María López")
    page.fill("#contact [name=your-email]", "Ana@Example.com")
    page.fill("#contact [name=mobile]", "+1 (415) 555-2671")
    page.click("#contact button")
    [lead] = touchline.recorder.wait_for(name="lead_submitted")
    [identify] = touchline.recorder.events(type="identify")
    assert identify["identity"] == {
        "email": "Ana@Example.com",
        "phone": "+1 (415) 555-2671",
        "first_name": "Ana",
        "last_name": "María López",
    }
    assert names(touchline.recorder.events()) == ["identify", "lead_submitted"]
    assert lead["payload"] == {"form_id": "contact", "path": "/forms.html"}

    touchline.settle()
    customer = customer_of(touchline, "email", "ana@example.com")
    assert (customer.first_name, customer.phone) == ("Ana", "+14155552671")
    assert linked_customer(touchline, lead["anonymous_id"]) == customer.id
    assert touchline.rows("SELECT count(*) FROM events WHERE name = 'lead_submitted'") == [(1,)]


def test_autocomplete_fields_count_and_hidden_ones_never_even_when_the_form_navigates(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("forms.html"))
    page.fill("[name=fld_1]", "Bea")
    page.fill("[name=fld_2]", "Stone")
    page.fill("[name=fld_3]", "bea@example.com")
    with page.expect_navigation():
        page.click("form[name=signup] button")
    [lead] = touchline.recorder.wait_for(name="lead_submitted")
    [identify] = touchline.recorder.events(type="identify")
    assert identify["identity"] == {
        "first_name": "Bea",
        "last_name": "Stone",
        "email": "bea@example.com",
    }
    assert lead["payload"] == {"form_id": "signup", "path": "/forms.html"}
    assert site.submissions, "the form itself was posted"

    touchline.settle()
    assert customer_of(touchline, "email", "bea@example.com").last_name == "Stone"


def test_a_form_without_contact_details_is_a_lead_but_identifies_nobody(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("forms.html"))
    page.fill("#search [name=q]", "implants")
    page.click("#search button")
    touchline.recorder.wait_for(name="lead_submitted")
    assert touchline.recorder.events(type="identify") == []
    touchline.settle()
    assert touchline.rows("SELECT count(*) FROM identity_map") == [(0,)]


def test_a_ghl_div_form_is_seen_through_fetch(page: Page, site: Site, touchline: Touchline) -> None:
    page.goto(site.url("forms.html"))
    page.fill("#ghl-form [name=full_name]", "Gil Ortega")
    page.fill("#ghl-form [name=email]", "gil@example.com")
    page.fill("#ghl-form [name=phone]", "+52 55 1234 5678")
    page.click("#ghl-submit")
    [lead] = touchline.recorder.wait_for(name="lead_submitted")
    wait_until(lambda: site.submissions, "the GoHighLevel request itself")
    [identify] = touchline.recorder.events(type="identify")
    assert identify["identity"] == {
        "first_name": "Gil",
        "last_name": "Ortega",
        "email": "gil@example.com",
        "phone": "+52 55 1234 5678",
    }
    assert lead["payload"] == {"form_id": "ghl-quote-7", "form_type": "ghl", "path": "/forms.html"}

    touchline.settle()
    customer = customer_of(touchline, "phone", "+525512345678")
    assert linked_customer(touchline, lead["anonymous_id"]) == customer.id


def test_a_form_started_and_left_is_abandoned_with_a_count_and_no_values(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("forms.html"))
    touchline.recorder.wait_for(type="page_view")
    page.fill("#contact [name=name]", "Ana María López")
    page.fill("#contact [name=your-email]", "ana@example.com")
    page.fill("#contact [name=your-email]", "ana.lopez@example.com")  # the same field again
    page.goto(site.url("thank-you.html"))
    [abandoned] = touchline.recorder.wait_for(name="form_abandoned")
    assert abandoned["type"] == "engagement"
    assert abandoned["url"] == site.url("forms.html")
    assert abandoned["payload"] == {"form_id": "contact", "path": "/forms.html", "fields_filled": 2}
    touchline.recorder.quiet()
    # Nothing typed left the browser: no lead, no identify, no value in any request.
    assert names(touchline.recorder.events()) == []
    with touchline.recorder.lock:
        sent = json.dumps([body for body, _ in touchline.recorder.requests])
    assert not any(typed in sent for typed in ("Ana", "López", "ana@example.com", "ana.lopez"))

    touchline.settle()
    assert touchline.rows("SELECT type, payload FROM events WHERE name = 'form_abandoned'") == [
        ("engagement", '{"form_id":"contact","path":"/forms.html","fields_filled":2}')
    ]
    assert touchline.rows("SELECT count(*) FROM conversions") == [(0,)]


def test_submitted_and_untouched_forms_are_never_abandoned(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("forms.html"))
    touchline.recorder.wait_for(type="page_view")
    page.fill("#search [name=q]", "implants")
    page.click("#search button")  # submitted, and the page stays
    touchline.recorder.wait_for(name="lead_submitted")
    page.fill("[name=fld_1]", "Bea")
    page.fill("[name=fld_3]", "bea@example.com")
    with page.expect_navigation():  # submitted, and the page is left
        page.click("form[name=signup] button")
    touchline.recorder.wait_for(2, name="lead_submitted")
    touchline.recorder.wait_for(name="page_engagement")  # the page was left: its reports are in
    touchline.recorder.quiet()
    # The contact form, never touched, is not abandoned either.
    assert touchline.recorder.events(name="form_abandoned") == []


def test_each_page_view_reports_a_form_at_most_once(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("forms.html"))
    touchline.recorder.wait_for(type="page_view")
    page.fill("#contact [name=message]", "Do you open on Saturdays?")
    page.keyboard.press("Tab")  # its `change` comes now, not on a later blur
    page.evaluate("history.pushState({}, '', '/contact/sent')")  # an SPA leaves the page
    [first] = touchline.recorder.wait_for(name="form_abandoned")
    assert first["url"] == site.url("forms.html")
    assert first["payload"] == {"form_id": "contact", "path": "/forms.html", "fields_filled": 1}
    # The same form, touched again in the next page view; the tab is hidden (a leave: reported)
    # and shown again, the visitor types on, and the page is closed: still one report.
    page.fill("#contact [name=name]", "Ana")
    page.fill("#contact [name=mobile]", "+1 415 555 2671")
    show_tab(page, "hidden")
    touchline.recorder.wait_for(2, name="form_abandoned")
    show_tab(page, "visible")
    page.fill("#contact [name=message]", "And on Sundays?")
    page.close()
    second = touchline.recorder.wait_for(2, name="form_abandoned")[1]
    assert second["url"] == site.url("contact/sent")
    assert second["payload"] == {"form_id": "contact", "path": "/contact/sent", "fields_filled": 2}
    touchline.recorder.quiet()
    assert len(touchline.recorder.events(name="form_abandoned")) == 2
