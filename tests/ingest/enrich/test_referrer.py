"""Referrer → domain; self-referrals empty; payment returns flagged and never a referrer."""

from __future__ import annotations

import pytest

from touchline.ingest.enrich.referrer import referrer_step

from .events import new_row, raw_event, request


def enrich(
    referrer: str,
    *,
    page: str = "example.com",
    domains: frozenset[str] = frozenset({"example.com"}),
) -> dict[str, object]:
    row = new_row(host=page)
    assert referrer_step(raw_event(referrer=referrer), request(domains=domains), row) is None
    return row


def test_an_external_referrer_gives_its_host_without_www() -> None:
    row = enrich("https://www.Partner-Blog.org/post?id=1")
    assert row["referrer"] == "https://www.Partner-Blog.org/post?id=1"
    assert row["referrer_domain"] == "partner-blog.org"
    assert row["is_payment_return"] is False


@pytest.mark.parametrize(
    "referrer",
    ["https://example.com/", "https://www.example.com/pricing", "https://shop.example.com/cart"],
)
def test_the_profiles_own_domains_and_subdomains_are_self_referrals(referrer: str) -> None:
    row = enrich(referrer, page="www.example.com")
    assert row["referrer_domain"] == ""
    assert row["referrer"] == referrer  # the raw referrer stays for debugging


def test_the_pages_own_host_is_a_self_referral_even_without_profile_domains() -> None:
    row = enrich("https://www.landing.example/a", page="landing.example", domains=frozenset())
    assert row["referrer_domain"] == ""


def test_a_sibling_host_without_profile_domains_is_a_referral() -> None:
    row = enrich("https://blog.landing.example/", page="landing.example", domains=frozenset())
    assert row["referrer_domain"] == "blog.landing.example"


@pytest.mark.parametrize(
    "referrer",
    [
        "https://checkout.stripe.com/c/pay/cs_live_a1",
        "https://www.paypal.com/checkoutnow?token=1",
        "https://www.mercadopago.com.ar/checkout/v1/redirect",
        "https://pay.hotmart.com/X1",
    ],
)
def test_payment_returns_are_flagged_and_leave_no_referrer_domain(referrer: str) -> None:
    row = enrich(referrer)
    assert row["is_payment_return"] is True
    assert row["referrer_domain"] == ""


def test_the_sites_own_checkout_is_a_self_referral_not_a_payment_return() -> None:
    row = enrich("https://checkout.example.com/thanks")
    assert (row["referrer_domain"], row["is_payment_return"]) == ("", False)


def test_android_app_referrers_keep_the_package_name() -> None:
    assert enrich("android-app://com.google.android.gm/")["referrer_domain"] == (
        "com.google.android.gm"
    )


@pytest.mark.parametrize("referrer", ["", "garbage", "about:blank", "chrome-extension://abc/x"])
def test_missing_or_unusable_referrers_give_no_domain(referrer: str) -> None:
    assert enrich(referrer)["referrer_domain"] == ""
