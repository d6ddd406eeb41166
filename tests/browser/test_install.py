"""The spec's snippet pasted verbatim (host changed) into a page: the first page view reaches
collect with the visitor's ids, is stored with its campaign and channel, and opens a session;
the ids live in localStorage and in first-party cookies."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page
from tests.browser.harness import Site, Touchline

LANDING = "index.html?utm_source=facebook&utm_medium=paid&utm_campaign=spring&fbclid=IwAR123"


def test_the_snippet_sends_a_page_view_stored_with_campaign_channel_and_session(
    page: Page, context: BrowserContext, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url(LANDING), referer="https://l.facebook.com/")
    [view] = touchline.recorder.wait_for(type="page_view")
    anonymous_id = page.evaluate("localStorage.getItem('atribu_anon_id')")
    session_id = page.evaluate("localStorage.getItem('atribu_session_id')")
    assert view["anonymous_id"] == anonymous_id and view["session_id"] == session_id
    assert view["url"] == site.url(LANDING) and view["title"] == "Clinic home"
    assert view["referrer"] == "https://l.facebook.com/"
    cookies = {c["name"]: c for c in context.cookies(site.origin)}
    assert cookies["atribu_visitor_id"]["value"] == anonymous_id
    assert cookies["atribu_session_id"]["value"] == session_id
    assert cookies["atribu_visitor_id"]["sameSite"] == "Lax"
    now = page.evaluate("Date.now() / 1000")
    assert abs(cookies["atribu_visitor_id"]["expires"] - now - 365 * 86400) < 60
    assert abs(cookies["atribu_session_id"]["expires"] - now - 30 * 60) < 60

    touchline.settle()
    assert touchline.rows(
        "SELECT anonymous_id, utm_source, utm_campaign, click_id_type, click_id, channel"
        " FROM events WHERE type = 'page_view'"
    ) == [(anonymous_id, "facebook", "spring", "fbclid", "IwAR123", "Paid Social")]
    assert touchline.rows("SELECT pageviews, channel, entry_path, utm_campaign FROM sessions") == [
        (1, "Paid Social", "/index.html", "spring")
    ]


def test_without_an_endpoint_events_go_to_the_scripts_own_origin(
    page: Page, site: Site, touchline: Touchline
) -> None:
    # The page is on the site's origin, the script on Touchline's: only the script's origin
    # has a collect endpoint, so the page view arrives only if the default is read from it.
    assert site.origin != touchline.origin
    page.goto(site.url("key-only.html"))
    [view] = touchline.recorder.wait_for(type="page_view")
    assert view["url"] == site.url("key-only.html") and view["title"] == "Key only"
    assert page.evaluate("window.atribuTracker.version")
