"""Referrer → domain (host without `www.`). Self-referrals (the profile's own domains and their
subdomains, or the page's own host) leave it empty; a return from a payment page leaves it
empty too and sets `is_payment_return`, so the referrer never starts a new touch.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from touchline.domain.sources import is_payment_host
from touchline.domain.urls import bare_host, is_same_site, split_url
from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.step import DropReason, Row
from touchline.ingest.protocol import RawEvent

CACHE_SIZE: Final = 16384
REFERRER_SCHEMES: Final = frozenset({"http", "https", "android-app"})


@lru_cache(maxsize=CACHE_SIZE)
def referrer_host(referrer: str) -> str:
    """The referrer's host, lowercased; "" for anything that is not a web page or an app."""
    parts = split_url(referrer)
    if parts is None or parts.scheme not in REFERRER_SCHEMES:
        return ""
    return parts.host


def referrer_step(event: RawEvent, ctx: RequestContext, row: Row) -> DropReason | None:
    row["referrer"] = event.referrer
    if event.referrer:
        host = referrer_host(event.referrer)
        row["referrer_domain"], row["is_payment_return"] = referrer_fields(
            host, row["host"], ctx.profile.domains
        )
    return None


@lru_cache(maxsize=CACHE_SIZE)
def referrer_fields(host: str, page_host: str, domains: frozenset[str]) -> tuple[str, bool]:
    """(referrer_domain, is_payment_return) for a referrer host seen on a page of a profile."""
    if not host or is_self_referral(host, page_host, domains):
        return "", False
    if is_payment_host(host):
        return "", True
    return bare_host(host), False


def is_self_referral(host: str, page_host: str, domains: frozenset[str]) -> bool:
    if page_host and bare_host(host) == bare_host(page_host):
        return True
    return bool(domains) and is_same_site(host, domains)
