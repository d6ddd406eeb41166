"""The Meta Pixel mirror with Meta's own base code: the calls its stub queued before the
tracker ran (the Pixel's PageView, with META_BRIDGE_PAGEVIEW) and the later ones are mirrored
under the event id Meta's library sends, and so are the calls of a Pixel added after load."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, Route
from tests.browser.harness import SITE_DIR, Site, Touchline

# A stand-in for Meta's fbevents.js, which (like the real one) marks the stub loaded with
# `callMethod` and then sends what the stub queued; here it records each call Meta would send.
# It loads after the tracker has started, as on a visit where it comes from the network.
FBEVENTS = """(function load() {
  if (!(window.atribuTracker && window.atribuTracker.version)) return setTimeout(load, 10);
  var fbq = window.fbq;
  window.metaCalls = [];
  fbq.callMethod = function () { window.metaCalls.push(Array.prototype.slice.call(arguments)); };
  fbq.queue.splice(0).forEach(function (args) { fbq.callMethod.apply(fbq, args); });
})();"""
# Meta's base code, as pixel.html has it in the page's head (its init, without the PageView).
_PIXEL_PAGE = (SITE_DIR / "pixel.html").read_text()
BASE_CODE = _PIXEL_PAGE[
    _PIXEL_PAGE.index("!function(f,b,e,v,n,t,s)") : _PIXEL_PAGE.index("fbq('track', 'PageView');")
].strip()


def serve_fbevents(page: Page) -> None:
    def fulfill(route: Route) -> None:
        route.fulfill(body=FBEVENTS, content_type="text/javascript")

    page.route("https://connect.facebook.net/**", fulfill)


def sent_to_meta(page: Page, event: str) -> list[Any]:
    call: list[Any] = page.wait_for_function(
        f"(window.metaCalls || []).find((call) => call[1] === {event!r})"
    ).json_value()
    return call


def test_the_pixel_calls_queued_before_the_tracker_ran_are_mirrored_with_metas_event_id(
    page: Page, site: Site, touchline: Touchline
) -> None:
    serve_fbevents(page)
    page.goto(site.url("pixel.html"))
    [mirrored_view] = touchline.recorder.wait_for(name="meta_pixel")
    assert sent_to_meta(page, "PageView") == [
        "track", "PageView", {}, {"eventID": mirrored_view["event_id"]}
    ]  # fmt: skip
    assert mirrored_view["payload"] == {"event": "PageView", "custom": False, "params": {}}
    page.click("#lead")
    lead = ["track", "Lead", {"value": 10, "currency": "USD"}]
    mirrored_lead = touchline.recorder.wait_for(2, name="meta_pixel")[1]
    assert sent_to_meta(page, "Lead") == [*lead, {"eventID": mirrored_lead["event_id"]}]
    assert mirrored_lead["payload"]["params"] == lead[2]
    assert page.evaluate("window.metaCalls")[0] == ["init", "1234567890"]

    touchline.settle()
    assert touchline.rows(
        "SELECT event_id, json_extract_string(payload, '$.event') FROM events"
        " WHERE name = 'meta_pixel' ORDER BY ts"
    ) == [(mirrored_view["event_id"], "PageView"), (mirrored_lead["event_id"], "Lead")]


def test_a_pixel_added_after_load_is_mirrored(page: Page, site: Site, touchline: Touchline) -> None:
    serve_fbevents(page)
    page.goto(site.url("spa.html"), wait_until="load")
    touchline.recorder.wait_for(type="page_view")
    # A tag manager adding the Pixel later, on its own trigger.
    page.add_script_tag(content=BASE_CODE + "\nfbq('track', 'Lead');")
    [mirrored] = touchline.recorder.wait_for(name="meta_pixel")
    assert sent_to_meta(page, "Lead") == ["track", "Lead", {}, {"eventID": mirrored["event_id"]}]
    page.evaluate("fbq('trackCustom', 'QuizDone', {score: 3})")
    quiz = touchline.recorder.wait_for(2, name="meta_pixel")[1]
    assert quiz["payload"] == {"event": "QuizDone", "custom": True, "params": {"score": 3}}
    assert sent_to_meta(page, "QuizDone")[3] == {"eventID": quiz["event_id"]}
