"""SPA navigation: pushState, replaceState, hashchange and popstate each send a page view whose
referrer is the previous page; the server counts them in one session."""

from __future__ import annotations

from playwright.sync_api import Page
from tests.browser.harness import Site, Touchline


def test_spa_navigations_are_page_views_of_one_session(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("spa.html"))
    touchline.recorder.wait_for(type="page_view")
    for button in ("#push", "#replace", "#hash", "#back"):
        page.click(button)
    views = touchline.recorder.wait_for(5, type="page_view")
    paths = [view["url"].removeprefix(site.origin) for view in views]
    assert paths == [
        "/spa.html",
        "/app/pricing",
        "/app/pricing?tab=yearly",
        "/app/pricing?tab=yearly#faq",
        "/app/pricing?tab=yearly",
    ]
    assert [view.get("payload") for view in views] == [None] + [{"navigation": "spa"}] * 4
    assert [view["referrer"] for view in views[1:]] == [site.origin + p for p in paths[:-1]]
    assert views[1]["title"] == "Pricing"  # read after the router's own work
    assert len({view["session_id"] for view in views}) == 1
    # Each navigation closes the previous page's engagement report.
    left = touchline.recorder.wait_for(4, type="engagement", name="page_engagement")
    assert [e["url"].removeprefix(site.origin) for e in left[:4]] == paths[:4]

    touchline.settle()
    assert touchline.rows("SELECT pageviews, entry_path, exit_path FROM sessions") == [
        (5, "/spa.html", "/app/pricing")
    ]


def test_nothing_about_an_ignored_spa_page_is_sent_not_even_as_a_referrer(
    page: Page, site: Site, touchline: Touchline
) -> None:
    site.globals["IGNORED_PAGES"] = ["/private/*"]
    page.goto(site.url("spa.html"))
    touchline.recorder.wait_for(type="page_view")
    # The reports about the page left are sent after the address changed: they are judged by
    # their own page, so /spa.html's arrive and the ignored page's do not.
    page.evaluate("history.pushState({}, '', '/private/secret-report')")
    touchline.recorder.wait_for(name="page_engagement")
    page.evaluate("history.pushState({}, '', '/public')")
    touchline.recorder.wait_for(2, type="page_view")
    page.goto(site.url("partner.html"))  # leaves /public
    touchline.recorder.wait_for(2, name="page_engagement")
    touchline.recorder.quiet()

    events = touchline.recorder.events()
    assert not [e for e in events if "/private" in e["url"] + e.get("referrer", "")]
    # One of each per page: leaving fires pagehide and then hidden, and reports once.
    paths = {
        name: [e["url"].removeprefix(site.origin) for e in events if e["name"] == name]
        for name in ("page_view", "page_engagement", "web_vitals")
    }
    assert paths == {
        "page_view": ["/spa.html", "/public"],
        "page_engagement": ["/spa.html", "/public"],
        "web_vitals": ["/spa.html"],
    }
    # The next page's referrer is the last page not ignored.
    [public] = [e for e in events if e["name"] == "page_view" and e["url"].endswith("/public")]
    assert public["referrer"] == site.url("spa.html")

    touchline.settle()
    assert touchline.rows(
        "SELECT count(*) FROM events WHERE url LIKE '%/private%' OR referrer LIKE '%/private%'"
    ) == [(0,)]
    assert touchline.rows("SELECT pageviews, entry_path, exit_path FROM sessions") == [
        (2, "/spa.html", "/public")
    ]
