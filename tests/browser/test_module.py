"""The ES module (/tracker.mjs) imported cross-origin by a bundled site: named exports, calls
made before init() replayed after it, and a silent no-op wherever `window` is absent."""

from __future__ import annotations

from playwright.sync_api import Page
from tests.browser.harness import Site, Touchline

from touchline.web.tracker_bundle import current_bundle


def test_the_module_tracks_with_named_exports(page: Page, site: Site, touchline: Touchline) -> None:
    page.goto(site.url("module.html"))
    page.wait_for_function("window.tracker !== undefined")
    assert page.evaluate("window.tracker.version") == current_bundle().version
    page.evaluate("window.tracker.identify({email: 'mod@example.com', userId: 'u-7'})")
    page.evaluate("window.tracker.trackRevenue('upgrade', 49, 'EUR', {plan: 'team'})")
    [early] = touchline.recorder.wait_for(name="clicked_before_init")
    assert early["payload"] == {"plan": "early"}  # the npm form: props are the payload
    [upgrade] = touchline.recorder.wait_for(name="upgrade")
    assert upgrade["revenue"] == {"amount": 49, "currency": "EUR"} and upgrade["user_id"] == "u-7"
    [view] = touchline.recorder.events(type="page_view")
    assert view["url"] == site.url("module.html")

    touchline.settle()
    assert touchline.rows(
        "SELECT name, user_id FROM events WHERE type IN ('identify', 'revenue') ORDER BY ts"
    ) == [("identify", "u-7"), ("upgrade", "u-7")]


def test_without_a_window_every_export_is_a_silent_no_op(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("ssr.html"))
    result = page.wait_for_function("window.ssrResult").json_value()
    assert result == {
        "ok": True,
        "methods": sorted(
            [
                "track", "trackRevenue", "trackSelfDescribing", "identify", "page", "setUserId",
                "observeImpression", "setConsent", "flush", "reset", "getAnonymousId",
                "getSessionId",
            ]
        ),
    }  # fmt: skip
    page.wait_for_timeout(500)
    assert touchline.recorder.requests == []
