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

    before = page.evaluate("window.tracker.client.getAnonymousId()")
    page.evaluate(
        """const c = window.tracker.client;
        c.trackSelfDescribing({eventSchema: 'com.atribu.checkout', schemaVersion: 2,
          payload: {step: 'payment'}});
        c.setUserId('u-8');
        c.reset();
        c.track('after_reset');"""
    )
    [described] = touchline.recorder.wait_for(name="com.atribu.checkout")
    assert described["type"] == "self_describing"
    assert described["payload"] == {"schema_version": 2, "data": {"step": "payment"}}
    [after] = touchline.recorder.wait_for(name="after_reset")
    assert after["anonymous_id"] != before and "user_id" not in after
    assert page.evaluate("localStorage.getItem('atribu_user_id')") is None

    touchline.settle()
    assert touchline.rows(
        "SELECT name, user_id FROM events WHERE type IN ('identify', 'revenue') ORDER BY ts"
    ) == [("identify", "u-7"), ("upgrade", "u-7"), ("identify", "u-8")]
    assert touchline.rows("SELECT count(DISTINCT anonymous_id) FROM events") == [(2,)]


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
