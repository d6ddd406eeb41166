"""Delivery: events captured together travel in one request; when sends fail the events wait
in localStorage across page loads and arrive later with their original ids and timestamps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import BrowserContext, Page, Route
from tests.browser.harness import Site, Touchline


def test_events_of_one_moment_travel_in_one_request(
    page: Page, site: Site, touchline: Touchline
) -> None:
    page.goto(site.url("spa.html"))
    touchline.recorder.wait_for(type="page_view")
    before = len(touchline.recorder.requests)
    page.evaluate("for (let n = 0; n < 10; n++) atribuTracker.track('step', {payload: {n}})")
    touchline.recorder.wait_for(10, name="step")
    touchline.recorder.quiet()
    batches = touchline.recorder.requests[before:]
    assert len(batches) == 1
    assert [e["payload"]["n"] for e in batches[0][0]["events"] if e["name"] == "step"] == list(
        range(10)
    )


def test_failed_sends_wait_across_reloads_and_arrive_with_their_original_timestamps(
    page: Page, context: BrowserContext, site: Site, touchline: Touchline
) -> None:
    attempted: dict[str, int] = {}

    def fail(route: Route) -> None:
        for event in json.loads(route.request.post_data or "{}").get("events", []):
            attempted[event["event_id"]] = event["timestamp"]
        route.abort("internetdisconnected")

    context.route("**/api/tracking/collect", fail)
    page.goto(site.url("spa.html?utm_source=newsletter&utm_medium=email"))
    page.evaluate("atribuTracker.track('offline_action', {payload: {n: 1}})")
    # Route handlers run while Playwright is waiting on the page, not during a plain sleep.
    for _ in range(100):
        if len(attempted) >= 2:
            break
        page.wait_for_timeout(100)
    assert len(attempted) >= 2, "the first send was never attempted"
    page.reload()  # still failing: the first page's events stay stored, not beaconed
    page.wait_for_function("(JSON.parse(localStorage.getItem('atribu_queue')) || []).length >= 4")
    stored: list[dict[str, Any]] = page.evaluate("JSON.parse(localStorage.getItem('atribu_queue'))")
    assert touchline.recorder.requests == []

    context.unroute("**/api/tracking/collect")
    page.evaluate("atribuTracker.flush()")
    delivered = touchline.recorder.wait_for(len(stored))
    originals = {e["event_id"]: e["timestamp"] for e in stored}
    assert attempted.keys() <= originals.keys()
    arrived = {e["event_id"]: e["timestamp"] for e in delivered}
    assert {i: arrived.get(i) for i in originals} == originals
    page.wait_for_function("localStorage.getItem('atribu_queue') === null")

    touchline.settle()
    rows = dict(touchline.rows("SELECT event_id, ts FROM events"))
    assert {i: round(rows[i].timestamp() * 1000) for i in originals} == originals
    first = min(originals.values())
    assert touchline.rows("SELECT count(*), min(started_at), min(channel) FROM sessions") == [
        (1, datetime.fromtimestamp(first / 1000, UTC), "Email")
    ]
