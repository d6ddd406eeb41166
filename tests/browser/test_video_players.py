"""Video players beyond a bare <video>: Wistia, seen through its documented Player API queue
(`window._wq`) with a stand-in for its script (site/wistia-e-v1.js: the real one cannot be
fetched offline), and Video.js, whose player plays through a <video> the native capture sees.
Same names and milestones as native video; `provider` tells them apart; each video once."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page
from tests.browser.harness import Site, Touchline

WISTIA = {"video": "abc123xyz", "provider": "wistia"}
VIDEO_NAMES = {"video_play", "video_pause", "video_progress"}


def payloads(touchline: Touchline, name: str) -> list[dict[str, Any]]:
    return [e.get("payload", {}) for e in touchline.recorder.events(name=name)]


def wistia(page: Page, call: str) -> Any:
    """Call the Wistia video's handle (`Wistia.api`, once the player is ready)."""
    page.wait_for_function("window.Wistia && Wistia.api('abc123xyz')")
    return page.evaluate(f"Wistia.api('abc123xyz').{call}")


def test_a_wistia_video_reports_its_play_pause_and_milestones(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("wistia.html"))  # Wistia's script runs before the tracker's
    touchline.recorder.wait_for(type="page_view")
    wistia(page, "play()")
    page.wait_for_function("Wistia.api('abc123xyz').time() > 0.6")  # of 2 s
    wistia(page, "pause()")
    stopped = wistia(page, "time()") / wistia(page, "duration()")
    assert 0.3 <= stopped < 1
    [paused] = touchline.recorder.wait_for(name="video_pause")
    assert paused["type"] == "engagement"
    assert paused["payload"] == WISTIA | {"percent": int(stopped * 100)}
    wistia(page, "playbackRate(4)")
    wistia(page, "play()")
    touchline.recorder.wait_for(name="video_progress", payload=WISTIA | {"percent": 100})
    touchline.recorder.quiet()
    assert wistia(page, "percentWatched()") == 1
    assert payloads(touchline, "video_play") == [WISTIA]  # played twice, reported once
    assert payloads(touchline, "video_pause") == [paused["payload"]]  # not the end's pause
    assert payloads(touchline, "video_progress") == [
        WISTIA | {"percent": p} for p in (25, 50, 75, 100)
    ]
    # Wistia's player is a <video> too: the native capture leaves it to the Wistia one.
    video_events = [e for e in touchline.recorder.events() if e["name"] in VIDEO_NAMES]
    assert all(e["payload"]["provider"] == "wistia" for e in video_events)

    touchline.settle()
    assert touchline.rows("SELECT video_events FROM sessions") == [(4,)]  # milestones only
    assert touchline.rows("SELECT count(*) FROM conversions") == [(0,)]


def test_wistia_loaded_after_the_tracker_and_a_video_js_player(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("wistia.html?late"))
    touchline.recorder.wait_for(type="page_view")
    # The tracker created the queue and left one handler in it; Wistia's script reads it.
    assert page.evaluate("window.queuedBeforeWistia") == 1
    wistia(page, "playbackRate(4)")
    wistia(page, "play()")
    touchline.recorder.wait_for(name="video_progress", payload=WISTIA | {"percent": 100})
    page.evaluate(
        "const v = document.getElementById('promo_html5_api'); v.playbackRate = 4; v.play()"
    )
    promo = {"video": "promo_html5_api", "provider": "native"}
    touchline.recorder.wait_for(name="video_progress", payload=promo | {"percent": 100})
    touchline.recorder.quiet()
    assert payloads(touchline, "video_play") == [WISTIA, promo]
    assert payloads(touchline, "video_pause") == []  # neither was paused before its end
    assert payloads(touchline, "video_progress") == [
        video | {"percent": p} for video in (WISTIA, promo) for p in (25, 50, 75, 100)
    ]


def test_video_tracking_off_leaves_wistia_alone(
    page: Page, site: Site, touchline: Touchline
) -> None:
    site.globals |= {"ENABLE_VIDEO_TRACKING": False}
    page.goto(site.url("wistia.html?late"))
    touchline.recorder.wait_for(type="page_view")
    assert page.evaluate("window.queuedBeforeWistia") == 0  # nothing queued, no _wq made
    wistia(page, "playbackRate(4)")
    wistia(page, "play()")
    page.wait_for_function("Wistia.api('abc123xyz').state() === 'ended'")
    page.close()
    touchline.recorder.wait_for(name="page_engagement")
    touchline.recorder.quiet()
    assert not {e["name"] for e in touchline.recorder.events()} & VIDEO_NAMES
