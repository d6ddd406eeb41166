"""Fixtures of the tracker's browser tests: Debian's chromium driven by Playwright (one browser
per test process; headless, no sandbox, no background networking), a Touchline server and
the test site for each test, and a fresh browser context (a new visitor) per test.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from tests.browser.harness import Site, Touchline, running_touchline, serving_site
from tests.serving import BROWSER_UA

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
    # Every request, page-hide beacons included, then carries a desktop Chrome user agent:
    # headless Chrome's own reads as a crawler's, whose events the server drops.
    f"--user-agent={BROWSER_UA}",
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


def launch_chromium(playwright: Playwright, *extra_args: str) -> Browser:
    """Debian's chromium as every browser test drives it (skips the test without it)."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        chromium_sandbox=False,
        args=[*CHROMIUM_ARGS, *extra_args],
    )


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = launch_chromium(playwright)
    yield launched
    launched.close()


@pytest.fixture
def touchline(tmp_path: Path) -> Iterator[Touchline]:
    with running_touchline(tmp_path / "data") as server:
        yield server


@pytest.fixture
def site(touchline: Touchline) -> Iterator[Site]:
    with serving_site(touchline) as served:
        yield served


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A new browser profile: a new visitor."""
    created = browser.new_context(viewport={"width": 1280, "height": 800})
    yield created
    created.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """New pages, each in a browser profile of its own: one visitor per call."""
    contexts: list[BrowserContext] = []

    def new_page() -> Page:
        contexts.append(browser.new_context(viewport={"width": 1280, "height": 800}))
        return contexts[-1].new_page()

    yield new_page
    for created in contexts:
        created.close()
