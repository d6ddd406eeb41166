"""The ES module (/tracker.mjs) imported cross-origin by a bundled site: named exports, calls
made before init() replayed after it, events sent to the page's own origin when no apiHost is
given, customProperties given as an object, and a silent no-op wherever `window` is absent."""

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


def test_without_api_host_the_module_sends_to_the_pages_origin(
    page: Page, site: Site, touchline: Touchline
) -> None:
    # The module comes from Touchline's origin; the page's origin proxies collect to it.
    page.goto(site.url("module-first-party.html"))
    page.wait_for_function("window.tracker !== undefined")
    page.evaluate("window.tracker.track('proxied', {plan: 'pro'})")
    [view] = touchline.recorder.wait_for(type="page_view")
    touchline.recorder.wait_for(name="proxied")
    assert view["url"] == site.url("module-first-party.html")
    touchline.recorder.quiet()
    # Every request Touchline answered came through the page's origin.
    assert site.proxied == [202] * len(touchline.recorder.requests)

    touchline.settle()
    assert touchline.rows("SELECT type, name FROM events ORDER BY ts") == [
        ("page_view", "page_view"),
        ("track", "proxied"),
    ]


def test_custom_properties_given_as_an_object_ride_on_every_event(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("module-first-party.html"))
    page.wait_for_function("window.tracker !== undefined")
    page.evaluate(
        """window.tracker.identify({email: 'props@example.com'});
        window.tracker.track('signed_up', {plan: 'pro'});
        window.tracker.trackRevenue('purchase', 20, 'usd', {sku: 'A-1'});
        window.tracker.client.page();"""
    )
    touchline.recorder.wait_for(2, type="page_view")
    touchline.recorder.wait_for(name="purchase")
    page.close()  # and the engagement reports of leaving
    touchline.recorder.wait_for(2, name="page_engagement")
    touchline.recorder.quiet()
    props = {"environment": "production", "app_version": "2.1.0"}
    events = touchline.recorder.events()
    assert {e["type"] for e in events} == {
        "page_view",
        "identify",
        "track",
        "revenue",
        "engagement",
    }
    assert all(e.get("payload", {}).items() >= props.items() for e in events)
    [signed_up] = touchline.recorder.events(name="signed_up")
    [purchase] = touchline.recorder.events(name="purchase")
    assert signed_up["payload"] == props | {"plan": "pro"}
    assert purchase["payload"] == props | {"sku": "A-1"}

    touchline.settle()
    assert touchline.rows(
        "SELECT count(*), count(*) FILTER (WHERE json_extract_string(payload, '$.environment')"
        " = 'production' AND json_extract_string(payload, '$.app_version') = '2.1.0')"
        " FROM events"
    ) == [(len(events), len(events))]
