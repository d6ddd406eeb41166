"""Traffic sources: GA4 categories with our extensions, host normalization, payment hosts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.sources import (
    EXTENSIONS,
    SourceCategory,
    SourceTable,
    is_payment_host,
    source_name,
)

SMALL = SourceTable.from_rows(
    [
        ("google", "SOURCE_CATEGORY_SEARCH"),
        ("facebook.com", "SOURCE_CATEGORY_SOCIAL"),
        ("Google Shopping", "SOURCE_CATEGORY_SHOPPING"),
        ("youtube.com", "SOURCE_CATEGORY_VIDEO"),
        ("yahoo.com", "SOURCE_CATEGORY_SEARCH"),
        ("discord.com", "SOURCE_CATEGORY_VIDEO"),  # the file wins over an extension
    ]
)


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("www.google.com", "google"),
        ("google.co.uk", "google"),
        ("www.google.com.br", "google"),
        ("bing.com", "bing"),
        ("www.bing.com", "bing"),
        ("duckduckgo.com", "duckduckgo"),
        ("html.duckduckgo.com", "duckduckgo"),
        ("www.baidu.com", "baidu"),
        ("uk.search.yahoo.com", "yahoo"),
        ("yandex.ru", "yandex"),
        ("search.brave.com", "brave"),
        ("l.facebook.com", "facebook.com"),
        ("lm.facebook.com", "facebook.com"),
        ("m.facebook.com", "facebook.com"),
        ("www.instagram.com", "instagram.com"),
        ("WWW.LinkedIn.COM.", "linkedin.com"),
        ("com.google.android.googlequicksearchbox", "google"),
        ("com.facebook.katana", "facebook"),
        ("m.me", "m.me"),  # never strip down to a bare TLD
        ("partner.example", "partner.example"),
    ],
)
def test_source_name_normalizes_hosts_to_ga4_names(host: str, name: str) -> None:
    assert source_name(host) == name


def test_category_of_looks_up_names_case_insensitively_after_normalizing() -> None:
    assert SMALL.category_of("Google") is SourceCategory.SEARCH
    assert SMALL.category_of("www.google.fr") is SourceCategory.SEARCH
    assert SMALL.category_of("l.facebook.com") is SourceCategory.SOCIAL
    assert SMALL.category_of("google shopping") is SourceCategory.SHOPPING
    assert SMALL.category_of("partner.example") is None
    assert SMALL.category_of("") is None


def test_subdomains_inherit_social_video_and_shopping_but_not_search() -> None:
    assert SMALL.category_of("es-la.facebook.com") is SourceCategory.SOCIAL
    assert SMALL.category_of("music.youtube.com") is SourceCategory.VIDEO
    assert SMALL.category_of("mail.yahoo.com") is None


def test_extensions_fill_gaps_and_the_ga4_file_wins_where_both_name_a_source() -> None:
    assert SMALL.category_of("bsky.app") is SourceCategory.SOCIAL
    assert SMALL.category_of("threads.net") is SourceCategory.SOCIAL
    assert SMALL.category_of("mastodon.social") is SourceCategory.SOCIAL
    assert SMALL.category_of("fosstodon.mastodon.host") is SourceCategory.SOCIAL
    assert SMALL.category_of("discord.com") is SourceCategory.VIDEO
    assert set(EXTENSIONS) <= set(SMALL.categories)


def test_an_unknown_ga4_category_is_refused() -> None:
    with pytest.raises(KeyError):
        SourceTable.from_rows([("example", "SOURCE_CATEGORY_NEWS")])


@pytest.mark.parametrize(
    "host",
    [
        "checkout.stripe.com",
        "stripe.com",
        "billing.stripe.com",
        "www.paypal.com",
        "paypal.com",
        "www.mercadopago.com.ar",
        "mercadopago.com.br",
        "articulo.mercadolibre.com.mx",
        "pay.google.com",
        "pay.hotmart.com",
        "checkout.shopify.com",
        "CHECKOUT.STRIPE.COM",
    ],
)
def test_payment_hosts_are_recognized(host: str) -> None:
    assert is_payment_host(host)


@pytest.mark.parametrize(
    "host", ["google.com", "facebook.com", "stripe-fan.blog", "paypalsucks.example", "payments.dev"]
)
def test_other_hosts_are_not_payment_hosts(host: str) -> None:
    assert not is_payment_host(host)


@given(st.text(max_size=40))
def test_source_name_is_idempotent(host: str) -> None:
    once = source_name(host)
    assert source_name(once) == once
