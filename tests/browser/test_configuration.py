"""Configuration through the snippet's globals: custom properties, transformRequest (modify or
drop), ignored pages, feature switches (vitals, CTAs, click quality, video, the Pixel mirror),
the heartbeat interval, session timeout and source-change mode, the methods queued before the
script loaded, Meta Pixel mirroring with a shared event id, crawlers and AI agents."""

from __future__ import annotations

from playwright.sync_api import Browser, Page
from tests.browser.harness import Site, Touchline
from tests.serving import BROWSER_UA


def test_custom_properties_transform_request_ignored_pages_and_the_pixel_mirror(
    page: Page, site: Site, touchline: Touchline
) -> None:
    site.globals["IGNORED_PAGES"] = ["/private/*"]
    page.goto(site.url("config.html"))
    [view] = touchline.recorder.wait_for(type="page_view")
    assert view["payload"] == {
        "section": "config.html",
        "app_version": "2.1.0",
        "build_id": "abc123",
    }
    assert "path" not in view
    page.click("#lead")
    page.click("#view")  # PageView is mirrored only with META_BRIDGE_PAGEVIEW
    [mirror] = touchline.recorder.wait_for(name="meta_pixel")
    page.click("#admin")  # dropped by transformRequest
    page.click("#ignored")  # an ignored page
    pixel_calls = page.evaluate("window.fbq.queue")
    assert pixel_calls[0][:3] == ["track", "Lead", {"value": 10, "currency": "USD"}]
    assert pixel_calls[0][3] == {"eventID": mirror["event_id"]}  # one id for Meta to dedupe
    assert mirror["payload"]["event"] == "Lead" and mirror["payload"]["params"]["value"] == 10
    touchline.recorder.quiet()
    urls = {e["url"].removeprefix(site.origin) for e in touchline.recorder.events()}
    assert not any(u.startswith(("/admin", "/private")) for u in urls)

    touchline.settle()
    assert touchline.rows("SELECT event_id, name FROM events WHERE type = 'track'") == [
        (mirror["event_id"], "meta_pixel")
    ]


def test_switches_timeout_and_source_change_sessions(
    page: Page, site: Site, touchline: Touchline
) -> None:
    site.globals |= {
        "ENABLE_WEB_VITALS": False,
        "ENABLE_CTA_TRACKING": False,
        "SESSION_TIMEOUT_MINUTES": 5,
        "SESSION_MODE": "inactivity_or_source_change",
    }
    page.goto(site.url("index.html?utm_source=google&utm_medium=cpc&gclid=G1"))
    [first] = touchline.recorder.wait_for(type="page_view")
    assert page.evaluate("document.cookie").count("atribu_session_id=") == 1
    page.goto(site.url("index.html"))  # internal: same session
    page.goto(site.url("index.html?utm_source=facebook&utm_medium=paid&fbclid=F1"))  # new source
    views = touchline.recorder.wait_for(3, type="page_view")
    assert [v["session_id"] == first["session_id"] for v in views] == [True, True, False]
    # Inactivity past the 5-minute timeout: the session state says the last event was 6 min ago.
    page.evaluate(
        """const state = JSON.parse(localStorage.getItem('atribu_session'));
        state.last -= 6 * 60000; localStorage.setItem('atribu_session', JSON.stringify(state))"""
    )
    page.evaluate("atribuTracker.page()")
    views = touchline.recorder.wait_for(4, type="page_view")
    assert len({v["session_id"] for v in views}) == 3
    touchline.recorder.quiet()
    names = {e["name"] for e in touchline.recorder.events()}
    assert not names & {"web_vitals", "cta_visible"}

    # The server sessionizes by the profile's own rule (inactivity only, here): the browser's
    # session id travels with each event for server-side code, informational.
    touchline.settle()
    stored = touchline.rows("SELECT session_id FROM events WHERE type = 'page_view' ORDER BY ts")
    assert [row[0] for row in stored] == [v["session_id"] for v in views]
    assert touchline.rows("SELECT channel, pageviews FROM sessions") == [("Paid Search", 4)]


def test_calls_queued_before_the_script_loaded_are_replayed(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.route(
        "**/atribu-tracker.js",
        lambda route: route.continue_() if page.evaluate("window.queuedCalls") else route.abort(),
    )
    page.add_init_script(
        """document.addEventListener('readystatechange', () => {
          if (document.readyState !== 'interactive' || window.queuedCalls) return;
          atribuTracker('identify', {email: 'early@example.com', firstName: 'Eli'});
          atribuTracker('track', 'pricing_viewed', {payload: {plan: 'pro'}});
          atribuTracker('trackRevenue', 'purchase', 99.99, 'usd', {product: 'Pro Plan'});
          window.queuedCalls = true;
        });"""
    )
    page.goto(site.url("spa.html"))
    touchline.recorder.wait_for(name="purchase")
    [pricing] = touchline.recorder.events(name="pricing_viewed")
    [purchase] = touchline.recorder.events(name="purchase")
    [identify] = touchline.recorder.events(type="identify")
    assert pricing["payload"] == {"plan": "pro"}
    assert purchase["revenue"] == {"amount": 99.99, "currency": "USD"}
    assert purchase["payload"] == {"product": "Pro Plan"}
    assert identify["identity"] == {"email": "early@example.com", "first_name": "Eli"}

    touchline.settle()
    assert (
        touchline.rows("SELECT revenue, currency FROM events WHERE name = 'purchase'")[0][1]
        == "USD"
    )
    assert touchline.rows(
        "SELECT count(*) FROM identity_map WHERE kind = 'anonymous_id' AND customer_id <> ''"
    ) == [(1,)]


def test_crawlers_send_nothing_and_ai_agents_are_tagged(
    browser: Browser, site: Site, touchline: Touchline
) -> None:
    crawler = browser.new_context(
        user_agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    )
    agent_ua = BROWSER_UA + " ChatGPT-User/1.0; +https://openai.com/bot"
    agent = browser.new_context(user_agent=agent_ua)
    try:
        crawler_page, agent_page = crawler.new_page(), agent.new_page()
        crawler_page.goto(site.url("index.html"))
        agent_page.goto(site.url("index.html"))
        touchline.recorder.wait_for(type="page_view")
        touchline.recorder.quiet()
        assert crawler_page.evaluate("localStorage.length") == 0
        [view] = touchline.recorder.events(type="page_view")
        assert view["anonymous_id"] == agent_page.evaluate("atribuTracker.getAnonymousId()")
    finally:
        crawler.close()
        agent.close()
    touchline.settle()
    assert touchline.rows("SELECT DISTINCT ai_agent FROM events") == [("ChatGPT-User",)]


def test_a_site_that_turns_the_pixel_mirror_off_leaves_fbq_alone(
    page: Page, site: Site, touchline: Touchline
) -> None:
    site.globals["INTERCEPT_FBQ"] = False  # the snippet's line, edited
    page.goto(site.url("config.html"))
    touchline.recorder.wait_for(type="page_view")
    page.click("#lead")
    page.evaluate("atribuTracker.track('after_the_pixel')")
    touchline.recorder.wait_for(name="after_the_pixel")
    touchline.recorder.quiet()
    # The page's own fbq, unwrapped, got the call as made: no eventID added.
    assert page.evaluate("window.fbq.atribuWrapped") is None
    assert page.evaluate("window.fbq.queue") == [
        ["track", "Lead", {"value": 10, "currency": "USD"}]
    ]
    assert touchline.recorder.events(name="meta_pixel") == []

    touchline.settle()
    assert touchline.rows("SELECT name FROM events WHERE type = 'track'") == [("after_the_pixel",)]


def test_click_quality_and_video_off_and_a_five_second_heartbeat(
    page: Page, site: Site, touchline: Touchline
) -> None:
    site.globals |= {
        "ENABLE_CLICK_QUALITY": False,
        "ENABLE_VIDEO_TRACKING": False,
        "HEARTBEAT_INTERVAL_SECONDS": 5,  # the shortest the tracker allows
    }
    page.goto(site.url("index.html"))
    touchline.recorder.wait_for(name="cta_visible")  # the other captures still run
    for _ in range(3):
        page.click("#dead", delay=10)  # a rage click, and a dead one, were they captured
    page.evaluate("const v = document.getElementById('tour'); v.playbackRate = 4; v.play()")
    page.wait_for_function("document.getElementById('tour').currentTime > 0.5")
    page.evaluate("document.getElementById('tour').pause()")
    page.evaluate("document.getElementById('tour').play()")
    page.wait_for_function("document.getElementById('tour').ended")
    # Two heartbeats, 5 s apart (the default is 60 s: none would come within the wait).
    first, second = touchline.recorder.wait_for(2, name="heartbeat")[:2]
    assert 4500 <= second["timestamp"] - first["timestamp"] <= 7500
    assert all(4000 <= beat["payload"]["engaged_ms"] <= 7500 for beat in (first, second))
    page.close()  # the last beacons; no more heartbeats
    touchline.settle()
    switched_off = {"rage_click", "dead_click", "video_play", "video_pause", "video_progress"}
    assert not {e["name"] for e in touchline.recorder.events()} & switched_off

    beats = len(touchline.recorder.events(name="heartbeat"))
    assert touchline.rows("SELECT count(*) FROM events WHERE name = 'heartbeat'") == [(beats,)]
    assert not {name for (name,) in touchline.rows("SELECT name FROM events")} & switched_off
    assert touchline.rows("SELECT video_events FROM sessions") == [(0,)]
