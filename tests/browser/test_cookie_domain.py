"""Cookies on a parent domain (`ATRIBU_COOKIE_DOMAIN`): a visitor who lands on www.shop.test
from an email and goes on to app.shop.test stays one visitor in one session, stored so, and
the sibling subdomain is no new source. Without the setting each host keeps its own visitor.

Chromium here resolves every *.shop.test host to the test site's loopback server, so the two
hosts are two origins (two localStorage areas) of one registrable domain, as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright
from tests.browser.conftest import launch_chromium
from tests.browser.harness import Site, Touchline

LANDING = "index.html?utm_source=newsletter&utm_medium=email&utm_campaign=fall"


@pytest.fixture(scope="module")
def shop_browser(playwright: Playwright) -> Iterator[Browser]:
    rules = "MAP *.shop.test 127.0.0.1, MAP shop.test 127.0.0.1"
    launched = launch_chromium(playwright, f"--host-resolver-rules={rules}")
    yield launched
    launched.close()


@pytest.fixture
def visitor(shop_browser: Browser) -> Iterator[BrowserContext]:
    created = shop_browser.new_context(viewport={"width": 1280, "height": 800})
    yield created
    created.close()


def on(site: Site, host: str, page: str) -> str:
    name = f"{host}.shop.test" if host else "shop.test"
    return f"http://{name}:{urlsplit(site.origin).port}/{page}"


def walk(
    visitor: BrowserContext, site: Site, touchline: Touchline, start: str = "www"
) -> list[dict[str, object]]:
    """The email's landing page on www. (or `start`), then a link to app.: both page views as
    collected."""
    page = visitor.new_page()
    page.goto(on(site, start, LANDING))
    touchline.recorder.wait_for(type="page_view")
    page.goto(on(site, "app", "spa.html"), referer=on(site, start, LANDING))
    return touchline.recorder.wait_for(2, type="page_view")


@pytest.mark.parametrize(
    ("setting", "start"), [("auto", "www"), (".Shop.Test", "www"), ("auto", "")]
)  # "": the landing page on the apex domain itself
def test_sibling_subdomains_share_the_visitor_and_the_session(
    setting: str, start: str, visitor: BrowserContext, site: Site, touchline: Touchline
) -> None:
    site.globals["COOKIE_DOMAIN"] = setting
    landing, app = walk(visitor, site, touchline, start)

    assert app["anonymous_id"] == landing["anonymous_id"]
    assert app["session_id"] == landing["session_id"]
    cookies = {(c["name"], c["domain"]) for c in visitor.cookies(on(site, "app", ""))}
    assert {("atribu_visitor_id", ".shop.test"), ("atribu_session_id", ".shop.test")} <= cookies
    assert not any(name == "atribu_probe" for name, _ in cookies)

    touchline.settle()
    assert touchline.rows(
        "SELECT count(DISTINCT visitor_key), count(DISTINCT anonymous_id) FROM events"
        " WHERE type = 'page_view'"
    ) == [(1, 1)]
    assert touchline.rows("SELECT pageviews, channel, utm_campaign FROM sessions") == [
        (2, "Email", "fall")
    ]


def test_a_sibling_is_no_new_source_when_sessions_split_on_source(
    visitor: BrowserContext, site: Site, touchline: Touchline
) -> None:
    site.globals.update(COOKIE_DOMAIN="auto", SESSION_MODE="inactivity_or_source_change")
    landing, app = walk(visitor, site, touchline)
    assert app["session_id"] == landing["session_id"]
    # An ad click landing on app. is a new source there: a new session, the same visitor.
    page = visitor.new_page()
    page.goto(on(site, "app", "index.html?gclid=G-2"))
    clicked = touchline.recorder.wait_for(3, type="page_view")[-1]
    assert clicked["anonymous_id"] == landing["anonymous_id"]
    assert clicked["session_id"] != landing["session_id"]


def test_without_the_setting_each_host_keeps_its_own_visitor(
    visitor: BrowserContext, site: Site, touchline: Touchline
) -> None:
    landing, app = walk(visitor, site, touchline)
    assert app["anonymous_id"] != landing["anonymous_id"]
    assert {c["domain"] for c in visitor.cookies(on(site, "app", ""))} == {"app.shop.test"}


def test_a_domain_the_page_is_not_under_is_ignored(
    visitor: BrowserContext, site: Site, touchline: Touchline
) -> None:
    site.globals["COOKIE_DOMAIN"] = "other.test"
    page = visitor.new_page()
    page.goto(on(site, "www", LANDING))
    [view] = touchline.recorder.wait_for(type="page_view")
    cookies = {c["name"]: c for c in visitor.cookies(on(site, "www", ""))}
    assert cookies["atribu_visitor_id"]["domain"] == "www.shop.test"
    assert cookies["atribu_visitor_id"]["value"] == view["anonymous_id"]
