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
