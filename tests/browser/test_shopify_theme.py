"""The Shopify app embed on a storefront: the theme app extension's block for this server,
rendered with Liquid on each request as Shopify would (the merchant's settings, the shopper's
cart), in the head of a page of the test site. Its page views are stored; its session mode and
switches reach the tracker; it ties the cart to the visitor once, through /cart/update.js."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Request
from tests.browser.harness import Site, Touchline, wait_until
from tests.web.shopify_liquid import render_block

from touchline.web.shopify_theme import BLOCK_PATH, CART_ATTRIBUTE, theme_extension_files

STOREFRONT = """<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>Demo Store</title>
<script>
  window.fbq = function () {
    (window.fbq.queue = window.fbq.queue || []).push(Array.prototype.slice.call(arguments));
  };
</script>
EMBED
</head>
<body>
<h1>Demo Store</h1>
<button id="lead" onclick="fbq('track', 'Lead', {value: 10, currency: 'USD'})">Pixel lead</button>
</body>
</html>"""


def open_store(site: Site, touchline: Touchline, **settings: object) -> None:
    """Serve shop.html with the embed on: `settings` as the merchant changed them in the theme
    editor, the cart's attributes as the last /cart/update.js request left them."""
    block = theme_extension_files(tracking_key=touchline.tracking_key, base_url=touchline.origin)[
        BLOCK_PATH
    ]

    def storefront() -> str:
        attributes: dict[str, Any] = {}
        for body in site.submissions:
            attributes |= json.loads(body).get("attributes", {})
        embed = render_block(block, settings, {"attributes": attributes})
        return STOREFRONT.replace("EMBED", embed)

    site.pages["shop.html"] = storefront


def cart_requests(page: Page) -> list[Request]:
    """The page's requests to the cart API, as they are made."""
    seen: list[Request] = []

    def record(request: Request) -> None:
        if "/cart/" in request.url:
            seen.append(request)

    page.on("request", record)
    return seen


def settled_page(page: Page) -> None:
    """The page loaded and its load handlers given time to act."""
    page.wait_for_load_state("load")
    page.evaluate("new Promise((done) => setTimeout(done, 600))")


def test_the_embed_sends_stored_page_views_and_ties_the_cart_once(
    page: Page, site: Site, touchline: Touchline
) -> None:
    open_store(site, touchline)
    requests = cart_requests(page)
    page.goto(site.url("shop.html?utm_source=facebook&utm_medium=paid&utm_campaign=spring"))
    [view] = touchline.recorder.wait_for(type="page_view")
    assert page.evaluate("window.ATRIBU_TRACKING_KEY") == touchline.tracking_key
    [cart] = wait_until(lambda: requests, "the cart attribute request")
    tie = {"attributes": {CART_ATTRIBUTE: view["anonymous_id"]}}
    assert (cart.method, cart.url, cart.post_data_json) == ("POST", site.url("cart/update.js"), tie)
    wait_until(lambda: site.submissions, "the cart attribute to reach the shop")
    assert [json.loads(body) for body in site.submissions] == [tie]

    page.goto(site.url("shop.html"))  # Shopify renders the cart with the attribute now
    touchline.recorder.wait_for(2, type="page_view")
    settled_page(page)
    assert len(requests) == len(site.submissions) == 1

    touchline.settle()
    assert touchline.rows(
        "SELECT anonymous_id, utm_campaign, channel FROM events WHERE type = 'page_view'"
        " ORDER BY ts"
    ) == [(view["anonymous_id"], "spring", "Paid Social"), (view["anonymous_id"], "", "Direct")]
    assert touchline.rows("SELECT pageviews, channel FROM sessions") == [(2, "Paid Social")]


@pytest.mark.parametrize(
    ("settings", "browser_sessions"),
    [({}, 2), ({"session_mode": "inactivity_only"}, 1)],
    ids=["inactivity_or_source_change", "inactivity_only"],
)
def test_a_new_source_starts_a_session_unless_the_mode_is_inactivity_only(
    page: Page, site: Site, touchline: Touchline, settings: dict[str, object], browser_sessions: int
) -> None:
    open_store(site, touchline, **settings)
    page.goto(site.url("shop.html?utm_source=a"))
    touchline.recorder.wait_for(type="page_view")
    page.goto(site.url("shop.html?utm_source=b"))
    views = touchline.recorder.wait_for(2, type="page_view")
    assert len({view["session_id"] for view in views}) == browser_sessions
    mode = settings.get("session_mode", "inactivity_or_source_change")
    assert page.evaluate("window.ATRIBU_SESSION_MODE") == mode

    # Stored with the browser's session ids; the server's sessions follow the profile's rule
    # (inactivity only, here), whatever the theme editor says (docs/decisions/0911).
    touchline.settle()
    stored = touchline.rows("SELECT session_id FROM events WHERE type = 'page_view' ORDER BY ts")
    assert [row[0] for row in stored] == [view["session_id"] for view in views]
    assert touchline.rows("SELECT count(*), sum(pageviews) FROM sessions") == [(1, 2)]


@pytest.mark.parametrize("intercept", [True, False], ids=["on", "off"])
def test_intercept_meta_pixel_mirrors_fbq_only_when_on(
    page: Page, site: Site, touchline: Touchline, intercept: bool
) -> None:
    open_store(site, touchline, intercept_meta_pixel=intercept)
    page.goto(site.url("shop.html"))
    touchline.recorder.wait_for(type="page_view")
    assert page.evaluate("window.ATRIBU_INTERCEPT_FBQ") is intercept
    page.click("#lead")
    page.evaluate("atribuTracker.track('after_the_pixel')")
    touchline.recorder.wait_for(name="after_the_pixel")
    touchline.recorder.quiet()
    mirrored = touchline.recorder.events(name="meta_pixel")
    assert [event["payload"]["event"] for event in mirrored] == (["Lead"] if intercept else [])
    assert bool(page.evaluate("window.fbq.atribuWrapped")) is intercept
