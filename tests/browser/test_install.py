"""The spec's snippet pasted verbatim (host changed) into a page: the first page view reaches
collect with the visitor's ids, is stored with its campaign and channel, and opens a session;
the ids live in localStorage and in first-party cookies, and reset() replaces them. The collect
endpoint defaults to the script's origin, or ATRIBU_API_HOST's."""

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


def test_api_host_names_the_collect_origin(page: Page, site: Site, touchline: Touchline) -> None:
    # key-only.html sets no endpoint; ATRIBU_API_HOST names Touchline by another host name
    # than the one the script came from, so the requests' Host header shows which was used.
    api_host = touchline.origin.replace("127.0.0.1", "localhost")
    page.add_init_script(f"window.ATRIBU_API_HOST = {api_host!r};")
    page.goto(site.url("key-only.html"))
    page.evaluate("atribuTracker.track('api_host_set')")
    touchline.recorder.wait_for(name="api_host_set")
    [view] = touchline.recorder.events(type="page_view")
    assert view["url"] == site.url("key-only.html")
    assert set(touchline.recorder.hosts) == {api_host.removeprefix("http://")}

    touchline.settle()
    assert touchline.rows("SELECT type, name FROM events ORDER BY ts") == [
        ("page_view", "page_view"),
        ("track", "api_host_set"),
    ]


def test_reset_forgets_the_visitor_and_starts_a_new_session(
    page: Page, context: BrowserContext, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("spa.html"))
    [view] = touchline.recorder.wait_for(type="page_view")
    page.evaluate(
        """atribuTracker.setConsent({analytics: true, marketing: false});
        atribuTracker.setUserId('u-41');
        atribuTracker.track('before_reset');
        atribuTracker.reset();
        atribuTracker.track('after_reset');"""
    )
    [before] = touchline.recorder.wait_for(name="before_reset")
    [after] = touchline.recorder.wait_for(name="after_reset")
    # What was captured before still goes out under the ids it was captured with.
    assert (before["anonymous_id"], before["session_id"], before["user_id"]) == (
        view["anonymous_id"],
        view["session_id"],
        "u-41",
    )
    # Then a new anonymous id, a new session, no user id; consent stays.
    assert after["anonymous_id"] != view["anonymous_id"]
    assert after["session_id"] != view["session_id"]
    assert "user_id" not in after
    assert after["consent"] == {"analytics": True, "marketing": False}
    ids = page.evaluate("[atribuTracker.getAnonymousId(), atribuTracker.getSessionId()]")
    assert ids == [after["anonymous_id"], after["session_id"]]
    assert page.evaluate("localStorage.getItem('atribu_user_id')") is None
    assert page.evaluate("localStorage.getItem('atribu_anon_id')") == after["anonymous_id"]
    cookies = {c["name"]: c["value"] for c in context.cookies(site.origin)}
    assert cookies["atribu_visitor_id"] == after["anonymous_id"]
    assert cookies["atribu_session_id"] == after["session_id"]
    page.reload()  # the new ids are the ones kept
    [_, again] = touchline.recorder.wait_for(2, type="page_view")
    assert (again["anonymous_id"], again["session_id"]) == (
        after["anonymous_id"],
        after["session_id"],
    )
    assert again["consent"] == {"analytics": True, "marketing": False}

    touchline.settle()
    # Compared as sets: the two tracks can share a millisecond, so `ts` does not order them.
    assert set(
        touchline.rows(
            "SELECT name, anonymous_id, session_id, user_id FROM events"
            " WHERE type IN ('track', 'page_view')"
        )
    ) == {
        ("page_view", view["anonymous_id"], view["session_id"], ""),
        ("before_reset", view["anonymous_id"], view["session_id"], "u-41"),
        ("after_reset", after["anonymous_id"], after["session_id"], ""),
        ("page_view", after["anonymous_id"], after["session_id"], ""),
    }
    assert touchline.rows("SELECT count(*) FROM events WHERE type IN ('track', 'page_view')") == [
        (4,)
    ]
    # Two visitors to the server, a session each.
    assert touchline.rows(
        "SELECT count(*), count(DISTINCT visitor_key), sum(pageviews) FROM sessions"
    ) == [(2, 2, 2)]
