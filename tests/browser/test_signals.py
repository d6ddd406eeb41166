"""Engagement auto-capture on one page: outbound links, downloads, rage and dead clicks,
uncaught errors, video milestones and pauses, CTA visibility, impressions (with a threshold, or
stopped by their cleanup function) and Core Web Vitals; then the session built from them (video
milestones and errors feed the engagement score)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from tests.browser.harness import Site, Touchline

from touchline.domain.engagement import engagement_quality_score


def payloads(touchline: Touchline, name: str) -> list[dict[str, Any]]:
    return [e.get("payload", {}) for e in touchline.recorder.events(name=name)]


def test_links_clicks_errors_video_and_visibility_are_engagement_events(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("index.html"))
    touchline.recorder.wait_for(name="cta_visible")
    assert payloads(touchline, "cta_visible") == [
        {"selector": "a#book-cta", "text": "Book now", "href": site.url("forms.html")}
    ]
    # `void`: handed back to Playwright, the cleanup function would be called (and stop it).
    page.evaluate("void atribuTracker.observeImpression('#hero-banner', {payload: {variant: 'b'}})")
    page.click("#live")  # changes the page: neither rage nor dead
    for _ in range(3):
        page.click("#dead", delay=10)
    page.click("#broken")
    # Both dead clicks are judged before anything else happens: a scroll (below) within a
    # second of a click would rightly make it not dead.
    touchline.recorder.wait_for(2, name="dead_click")
    with page.expect_download():
        page.click("#download")
    page.evaluate("document.getElementById('tour').playbackRate = 4")
    page.evaluate("document.getElementById('tour').play()")
    touchline.recorder.wait_for(4, name="video_progress")
    page.locator("#hero-banner").scroll_into_view_if_needed()
    touchline.recorder.wait_for(name="impression")
    with page.expect_navigation():
        page.click("#outbound")
    touchline.recorder.wait_for(name="outbound_click")
    [vitals] = touchline.recorder.wait_for(name="web_vitals")
    touchline.recorder.quiet()

    assert payloads(touchline, "rage_click") == [{"selector": "button#dead", "clicks": 3}]
    # The dead button, and the broken one: its handler threw before changing anything.
    assert payloads(touchline, "dead_click") == [
        {"selector": "button#dead", "text": "Does nothing"},
        {"selector": "button#broken", "text": "Break"},
    ]
    [error] = payloads(touchline, "js_error")
    assert "undefinedFunction" in error["message"] and error["source"] == site.url("index.html")
    assert payloads(touchline, "file_download") == [
        {"url": site.url("files/brochure.pdf"), "file_name": "brochure.pdf"}
    ]
    assert payloads(touchline, "outbound_click") == [
        {"url": site.url("partner.html").replace("127.0.0.1", "localhost"),
         "domain": "localhost", "text": "Our partner"}
    ]  # fmt: skip
    video = {"video": "tour", "provider": "native"}
    assert payloads(touchline, "video_play") == [video]
    assert payloads(touchline, "video_progress") == [
        video | {"percent": p} for p in (25, 50, 75, 100)
    ]
    assert payloads(touchline, "impression") == [{"element": "#hero-banner", "variant": "b"}]
    # All five: nothing moved but what the clicks changed (input excludes it), so CLS is 0,
    # not absent; the clicks are interactions, so INP is there however fast they were.
    assert vitals["payload"].keys() == {"fcp", "lcp", "cls", "inp", "ttfb"}
    assert vitals["payload"]["cls"] == 0
    assert all(isinstance(value, int | float) for value in vitals["payload"].values())
    scrolls = [p["percent"] for p in payloads(touchline, "scroll_depth")]
    assert scrolls and scrolls == sorted(scrolls)

    touchline.settle()
    [(pageviews, videos, errors, scroll, engaged, score)] = touchline.rows(
        "SELECT pageviews, video_events, error_events, max_scroll_percent, engaged_ms,"
        " engagement_score FROM sessions"
    )
    assert (pageviews, videos, errors) == (1, 4, 1)
    assert scroll == max(
        p.get("max_scroll_percent", 0) for p in payloads(touchline, "page_engagement")
    )
    assert score == engagement_quality_score(
        engaged_ms=engaged, max_scroll_percent=scroll, pageviews=1, video_events=4, error_events=1
    )
    stored = touchline.rows(
        "SELECT name, count(*) FROM events WHERE type = 'engagement' GROUP BY name ORDER BY name"
    )
    assert {name for name, _ in stored} >= {
        "cta_visible", "dead_click", "file_download", "js_error", "outbound_click",
        "page_engagement", "rage_click", "video_play", "video_progress", "web_vitals",
    }  # fmt: skip


def test_a_paused_video_reports_where_it_stopped(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("index.html"))
    touchline.recorder.wait_for(type="page_view")
    page.evaluate("document.getElementById('tour').play()")
    page.wait_for_function("document.getElementById('tour').currentTime > 0.6")  # of 2 s
    page.evaluate("document.getElementById('tour').pause()")
    stopped = page.evaluate(
        "(v => Math.floor(v.currentTime / v.duration * 100))(document.getElementById('tour'))"
    )
    assert 30 <= stopped < 100
    [paused] = touchline.recorder.wait_for(name="video_pause")
    video = {"video": "tour", "provider": "native"}
    assert paused["type"] == "engagement" and paused["payload"] == video | {"percent": stopped}
    # Played again to the end: the pause the browser fires on ending is not one.
    page.evaluate("document.getElementById('tour').playbackRate = 4")
    page.evaluate("document.getElementById('tour').play()")
    touchline.recorder.wait_for(name="video_progress", payload=video | {"percent": 100})
    touchline.recorder.quiet()
    assert payloads(touchline, "video_play") == [video]
    assert payloads(touchline, "video_pause") == [video | {"percent": stopped}]
    assert payloads(touchline, "video_progress") == [
        video | {"percent": p} for p in (25, 50, 75, 100)
    ]

    touchline.settle()
    assert touchline.rows(
        "SELECT payload FROM events WHERE type = 'engagement' AND name = 'video_pause'"
    ) == [(f'{{"video":"tour","provider":"native","percent":{stopped}}}',)]
    assert touchline.rows("SELECT video_events FROM sessions") == [(4,)]  # milestones only


def test_impressions_wait_for_their_threshold_and_stop_when_cleaned_up(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("index.html"))
    touchline.recorder.wait_for(type="page_view")
    page.evaluate(
        """void atribuTracker.observeImpression('#hero-banner', {variant: 'kept'},
          {threshold: 0.8});
        window.stopWatching = atribuTracker.observeImpression('#hero-banner',
          {variant: 'stopped'});"""
    )
    page.evaluate("window.stopWatching()")

    def show(fraction: float) -> None:
        """Scroll the 200 px banner up from the bottom of the viewport until `fraction` of it
        is on screen."""
        page.evaluate(
            """fraction => {
              const banner = document.getElementById('hero-banner');
              const top = banner.getBoundingClientRect().top + scrollY;
              scrollTo(0, top - innerHeight + banner.offsetHeight * fraction);
            }""",
            fraction,
        )

    show(0.6)  # past the default half, short of 0.8
    page.wait_for_timeout(500)
    page.evaluate("atribuTracker.flush()")
    touchline.recorder.quiet()
    assert touchline.recorder.events(type="impression") == []
    show(1)
    [seen] = touchline.recorder.wait_for(type="impression")
    assert seen["name"] == "impression"
    assert seen["payload"] == {"element": "#hero-banner", "variant": "kept"}
    page.evaluate("atribuTracker.flush()")
    touchline.recorder.quiet()
    assert len(touchline.recorder.events(type="impression")) == 1

    touchline.settle()
    assert touchline.rows("SELECT name, payload FROM events WHERE type = 'impression'") == [
        ("impression", '{"element":"#hero-banner","variant":"kept"}')
    ]


@pytest.mark.parametrize("pressed", [False, True])
def test_web_vitals_report_cls_when_nothing_shifted_and_inp_after_any_interaction(
    page: Page, site: Site, touchline: Touchline, pressed: bool
) -> None:
    page.goto(site.url("spa.html"))
    touchline.recorder.wait_for(type="page_view")
    if pressed:
        page.keyboard.press("Shift")  # no handler: an interaction far under 16 ms
    page.goto(site.url("partner.html"))  # leaves the page: the vitals go by beacon
    [vitals] = touchline.recorder.wait_for(name="web_vitals")
    assert vitals["payload"]["cls"] == 0
    # No interaction, no INP (web-vitals' rule); one, however short, gives one.
    assert ("inp" in vitals["payload"]) is pressed
