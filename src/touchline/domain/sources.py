"""Traffic sources: which sources are search engines, social networks, video or shopping sites
(Google's GA4 source-category list plus our extensions), how a referrer host is normalized to
such a source name, and which hosts are payment pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class SourceCategory(StrEnum):
    SEARCH = "search"
    SOCIAL = "social"
    VIDEO = "video"
    SHOPPING = "shopping"


GA4_CATEGORIES: Mapping[str, SourceCategory] = {
    "SOURCE_CATEGORY_SEARCH": SourceCategory.SEARCH,
    "SOURCE_CATEGORY_SOCIAL": SourceCategory.SOCIAL,
    "SOURCE_CATEGORY_VIDEO": SourceCategory.VIDEO,
    "SOURCE_CATEGORY_SHOPPING": SourceCategory.SHOPPING,
}

_SO, _SE = SourceCategory.SOCIAL, SourceCategory.SEARCH
# Sources the GA4 file lacks. Its entries win where both name a source.
EXTENSIONS: Mapping[str, SourceCategory] = {
    "x": _SO, "x.com": _SO, "threads": _SO, "threads.net": _SO, "threads.com": _SO,
    "bsky": _SO, "bsky.app": _SO, "bluesky": _SO, "discord": _SO, "discord.com": _SO,
    "discord.gg": _SO, "discordapp.com": _SO, "slack": _SO, "slack.com": _SO,
    "app.slack.com": _SO, "telegram": _SO, "telegram.org": _SO, "t.me": _SO,
    "mastodon": _SO, "github": _SO, "github.com": _SO, "producthunt": _SO,
    "producthunt.com": _SO, "meta": _SO, "brave": _SE, "startpage": _SE, "ask.com": _SE,
}  # fmt: skip

# Search engines whose hosts the GA4 file lists only by name ("google", "bing", …).
_ENGINES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"google(\.com?)?\.[a-z]{2,3}"), "google"),
    (re.compile(r"(.+\.)?bing\.com"), "bing"),
    (re.compile(r"(.+\.)?duckduckgo\.com"), "duckduckgo"),
    (re.compile(r"(.+\.)?baidu\.com"), "baidu"),
    (re.compile(r"(.+\.)?search\.yahoo\.(com|co\.jp)"), "yahoo"),
    (re.compile(r"yandex(\.com?)?\.[a-z]{2,3}"), "yandex"),
    (re.compile(r"search\.brave\.com"), "brave"),
    (re.compile(r"startpage\.com"), "startpage"),
)

# Android apps send `android-app://<package>/` as the referrer.
_APPS: Mapping[str, str] = {
    "com.google.android.googlequicksearchbox": "google",
    "com.google.android.youtube": "youtube",
    "com.facebook.katana": "facebook",
    "com.facebook.lite": "facebook",
    "com.facebook.orca": "facebook",
    "com.instagram.android": "instagram",
    "com.linkedin.android": "linkedin",
    "com.twitter.android": "twitter",
    "com.reddit.frontpage": "reddit",
    "com.pinterest": "pinterest",
    "com.zhiliaoapp.musically": "tiktok",
    "org.telegram.messenger": "telegram",
    "com.slack": "slack",
    "com.whatsapp": "whatsapp",
}

# Mobile, link-shim and legacy prefixes that say nothing about the source.
_PREFIX = re.compile(r"(?:www\d*|m|l|lm|mobile|mbasic|touch|web|amp|out|old|new|np|lite)\.")

# Payment pages: a visitor coming back from one is finishing a purchase, not arriving.
_PAYMENT = re.compile(
    r"(?:.+\.)?(?:stripe\.com|paypal\.com|paypal\.me|adyen\.com|klarna\.com|mollie\.com"
    r"|paddle\.com|squareup\.com|square\.link|razorpay\.com|lemonsqueezy\.com|pagseguro\.uol\.com\.br)"
    r"|(?:.+\.)?(?:mercadopago|mercadolibre|mercadolivre|payu)\.[a-z.]+"
    r"|(?:pay|checkout)\..+"
)


def is_payment_host(host: str) -> bool:
    """True for Stripe, PayPal, MercadoPago/MercadoLibre and other checkout hosts (`pay.*`)."""
    return _PAYMENT.fullmatch(host.lower()) is not None


def source_name(host: str) -> str:
    """A referrer host in the GA4 list's terms: `www.google.co.uk` → `google`, `l.facebook.com`
    → `facebook.com`, an Android app package → the app's name."""
    host = host.strip().lower().rstrip(".")
    if host in _APPS:
        return _APPS[host]
    while (match := _PREFIX.match(host)) and "." in host[match.end() :]:
        host = host[match.end() :]
    for pattern, name in _ENGINES:
        if pattern.fullmatch(host):
            return name
    return host


@dataclass(frozen=True, slots=True)
class SourceTable:
    """Source name (lowercase) → category; look-ups normalize hosts first."""

    categories: Mapping[str, SourceCategory]

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]]) -> SourceTable:
        """Build from `(source, GA4 category)` rows (the CSV), then add our extensions."""
        table: dict[str, SourceCategory] = {}
        for source, category in rows:
            table[source.strip().lower()] = GA4_CATEGORIES[category.strip()]
        for source, extra in EXTENSIONS.items():
            table.setdefault(source, extra)
        return cls(MappingProxyType(table))

    def category_of(self, source: str) -> SourceCategory | None:
        """Category of a utm_source value or referrer host, or None when it is on no list."""
        name = source.strip().lower()
        if not name:
            return None
        if (found := self.categories.get(name)) is not None:
            return found
        name = source_name(name)
        if (found := self.categories.get(name)) is not None:
            return found
        if name.startswith("mastodon.") or ".mastodon." in name:
            return SourceCategory.SOCIAL
        return self._parent_category(name)

    def _parent_category(self, host: str) -> SourceCategory | None:
        # `es-la.facebook.com` is Facebook; but `mail.yahoo.com` is not a search engine, so
        # parents count only for social, video and shopping sites.
        while (dot := host.find(".")) != -1 and "." in host[dot + 1 :]:
            host = host[dot + 1 :]
            found = self.categories.get(host)
            if found is not None and found is not SourceCategory.SEARCH:
                return found
        return None
