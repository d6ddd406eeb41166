"""Engaged time under a controlled clock: a heartbeat per engaged minute and the rest when the
page is left, idle time not counted; the stored session sums them into its engaged time and
the engagement score the engagement-weighted model uses."""

from __future__ import annotations

from playwright.sync_api import Page
from tests.browser.harness import Site, Touchline, show_tab

from touchline.domain.engagement import engagement_quality_score


def test_heartbeats_and_the_page_report_sum_to_the_sessions_engaged_time(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.clock.install()
    page.goto(site.url("spa.html"))
    touchline.recorder.wait_for(type="page_view")
    for _ in range(7):  # input every 10 s for a minute (the last at 60 s): all engaged
        page.mouse.move(100, 100)
        page.mouse.move(120, 130)
        page.clock.run_for(10_000)
    page.clock.run_for(120_000)  # then idle: 30 s after the last input count, the rest not
    page.mouse.move(10, 10)
    page.clock.run_for(5_000)
    page.click("#push")  # leaving the page by SPA navigation closes its report
    page.clock.run_for(2_000)
    touchline.recorder.wait_for(2, type="page_view")
    reports = touchline.recorder.wait_for(name="page_engagement")
    beats = touchline.recorder.events(name="heartbeat")
    # Heartbeats at 60 s and 120 s (the second: 30 s past the last input at ~60 s; the page
    # loaded while the clock ran on, so inputs fall a second or two late).
    seconds = [round(b["payload"]["engaged_ms"] / 1000) for b in beats]
    assert seconds[0] == 60 and 29 <= seconds[1] <= 33
    [report] = reports
    assert 5_000 <= report["payload"]["engaged_ms"] <= 6_000
    assert report["url"] == site.url("spa.html")
    total = sum(e["payload"]["engaged_ms"] for e in [*beats, report])

    touchline.settle()
    assert not touchline.runtime.pipeline.dropped
    [(engaged, pageviews, scroll, score)] = touchline.rows(
        "SELECT engaged_ms, pageviews, max_scroll_percent, engagement_score FROM sessions"
    )
    assert (engaged, pageviews) == (total, 2)
    assert score == engagement_quality_score(
        engaged_ms=total, max_scroll_percent=scroll, pageviews=2, video_events=0, error_events=0
    )
    assert score >= 40 + 10  # two minutes of attention, two pages


def test_a_page_reports_once_per_leave_and_again_after_it_was_shown(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.clock.install()
    page.goto(site.url("spa.html"))
    touchline.recorder.wait_for(type="page_view")
    page.mouse.move(100, 100)
    page.clock.run_for(4_000)
    show_tab(page, "hidden")  # the tab switched away: the page reports what it has
    page.evaluate("dispatchEvent(new PageTransitionEvent('pagehide'))")  # a second signal
    [first] = touchline.recorder.wait_for(name="page_engagement")
    page.clock.run_for(10_000)  # hidden: not engaged
    show_tab(page, "visible")
    page.mouse.move(120, 130)
    page.clock.run_for(3_000)
    page.goto(site.url("partner.html"))  # left for good: pagehide and hidden, one report
    reports = touchline.recorder.wait_for(2, name="page_engagement")
    touchline.recorder.quiet()

    reports = touchline.recorder.events(name="page_engagement")
    assert len(reports) == 2 and reports[0] == first
    # 4 s and 3 s of attention (plus the page's own start, as above); the 10 s hidden are in
    # neither.
    assert 4_000 <= first["payload"]["engaged_ms"] < 8_000
    assert 3_000 <= reports[1]["payload"]["engaged_ms"] < 7_000
    touchline.settle()
    [(engaged,)] = touchline.rows("SELECT engaged_ms FROM sessions")
    assert engaged == sum(r["payload"]["engaged_ms"] for r in reports)
