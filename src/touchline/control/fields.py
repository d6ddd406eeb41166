"""Rules for the values people type into control-plane records: names, timezones, currencies,
domains, e-mail addresses. Each returns the normalized value or raises `InvalidParameter`."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from touchline.control.currencies import ISO_4217
from touchline.errors import InvalidParameter

MAX_NAME_LENGTH = 200
_HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$")
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def name(value: str, *, what: str) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidParameter(f"{what} must be 1 to {MAX_NAME_LENGTH} characters")
    return cleaned


def timezone(value: str) -> str:
    if value not in _timezones():
        raise InvalidParameter(f"unknown timezone {value!r}: use an IANA name like Europe/Madrid")
    return value


def currency(value: str) -> str:
    code = value.strip().upper()
    if code not in ISO_4217:
        raise InvalidParameter(f"unknown currency {value!r}: use an ISO 4217 code like USD")
    return code


def domain(value: str) -> str:
    """`https://www.Shop.com:443/x` → `shop.com`: the host, lowercased, without `www.`."""
    text = value.strip().lower()
    try:
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        host = ""
    host = host.rstrip(".").removeprefix("www.")
    if not _HOST_RE.fullmatch(host) or ("." not in host and host != "localhost"):
        raise InvalidParameter(f"invalid domain {value!r}: use a host name like example.com")
    return host


def domains(values: list[str] | tuple[str, ...]) -> list[str]:
    """Normalized, de-duplicated, in the order given."""
    return list(dict.fromkeys(domain(value) for value in values))


def email(value: str) -> str:
    address = value.strip().lower()
    if len(address) > 320 or not _EMAIL_RE.fullmatch(address):
        raise InvalidParameter(f"invalid e-mail address {value!r}")
    return address
