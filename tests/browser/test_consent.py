"""Consent modes. `required`: anonymous page views flow, identify() waits for consent (and is
sent once given). `strict`: nothing is written to cookies or localStorage until consent is
given, and nothing identifying is sent; a refusal keeps it that way."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page
from tests.browser.harness import Site, Touchline


def atribu_storage(page: Page, context: BrowserContext, site: Site) -> list[str]:
    keys = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('atribu_'))")
    cookies = [c["name"] for c in context.cookies(site.origin) if c["name"].startswith("atribu_")]
    return sorted(keys + cookies)


def submit_email(page: Page, email: str) -> None:
    page.fill("#contact [name=email]", email)
    page.click("#contact button")


def test_required_mode_holds_identify_until_consent_is_given(
    page: Page, site: Site, touchline: Touchline
) -> None:
    site.globals["CONSENT_MODE"] = "required"
    page.goto(site.url("consent.html"))
    submit_email(page, "wait@example.com")
    touchline.recorder.wait_for(name="lead_submitted")
    touchline.recorder.quiet()
    assert touchline.recorder.events(type="identify") == []
    page.click("#accept")
    [identify] = touchline.recorder.wait_for(type="identify")
    assert identify["identity"] == {"email": "wait@example.com"}
    assert identify["consent"] == {"analytics": True, "marketing": True}
    [consent] = touchline.recorder.events(type="consent")
    assert consent["consent"] == {"analytics": True, "marketing": True}

    touchline.settle()
    assert touchline.rows(
        "SELECT count(*) FROM identity_map WHERE kind = 'anonymous_id' AND customer_id <> ''"
    ) == [(1,)]
    assert touchline.rows("SELECT consent FROM events WHERE type = 'consent'") == [
        ('{"analytics":true,"marketing":true}',)
    ]


def test_strict_mode_writes_nothing_and_identifies_nobody_without_consent(
    page: Page, context: BrowserContext, site: Site, touchline: Touchline
) -> None:
    site.globals["CONSENT_MODE"] = "strict"
    page.goto(site.url("consent.html"))
    submit_email(page, "quiet@example.com")
    page.click("#deny")
    touchline.recorder.wait_for(name="lead_submitted")
    touchline.recorder.quiet()
    assert atribu_storage(page, context, site) == []
    assert touchline.recorder.events(type="identify") == []
    page.reload()  # no stored id: the next page is a stranger again
    touchline.recorder.wait_for(2, type="page_view")
    assert atribu_storage(page, context, site) == []
    first, second = touchline.recorder.events(type="page_view")
    assert first["anonymous_id"] != second["anonymous_id"]

    page.click("#accept")
    page.wait_for_function("document.cookie.includes('atribu_visitor_id')")
    assert {"atribu_anon_id", "atribu_consent", "atribu_visitor_id"} <= set(
        atribu_storage(page, context, site)
    )
    submit_email(page, "glad@example.com")
    [identify] = touchline.recorder.wait_for(type="identify")
    assert identify["identity"] == {"email": "glad@example.com"}

    touchline.settle()
    assert touchline.rows("SELECT count(*) FROM events WHERE type = 'identify'") == [(1,)]
