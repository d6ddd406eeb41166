"""The tracker's pure parts (URL rules, field heuristics, booking messages, consent decisions,
the session rule, the retry queue's bounds, configuration) unit-tested in the browser, on the
source modules themselves (tests/browser/site/unit.js)."""

from __future__ import annotations

from playwright.sync_api import Page
from tests.browser.harness import Site


def test_pure_parts_pass_their_unit_tests_in_the_browser(page: Page, site: Site) -> None:
    page.goto(site.url("unit.html"))
    page.wait_for_function("window.unitResults !== undefined")
    results = page.evaluate("window.unitResults")
    failures = [f"{r['name']}: got {r['got']}, want {r['want']}" for r in results if not r["ok"]]
    assert len(results) >= 40
    assert not failures, "\n".join(failures)
