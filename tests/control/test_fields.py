"""Normalization and validation of typed-in control-plane values."""

from __future__ import annotations

import pytest

from touchline.control import fields
from touchline.control.currencies import ISO_4217
from touchline.errors import InvalidParameter


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("example.com", "example.com"),
        ("WWW.Example.COM", "example.com"),
        ("https://www.example.com/pricing?x=1", "example.com"),
        ("http://shop.example.com:8080", "shop.example.com"),
        ("  blog.example.org.  ", "blog.example.org"),
        ("localhost", "localhost"),
    ],
)
def test_domains_normalize_to_bare_hosts(given: str, expected: str) -> None:
    assert fields.domain(given) == expected


@pytest.mark.parametrize("given", ["", "nodot", "exa mple.com", "http://[::1", "-bad.com", "a..b"])
def test_bad_domains_are_refused(given: str) -> None:
    with pytest.raises(InvalidParameter):
        fields.domain(given)


def test_domains_deduplicate_in_order() -> None:
    assert fields.domains(["b.com", "www.a.com", "B.com", "a.com"]) == ["b.com", "a.com"]


@pytest.mark.parametrize("code", ["USD", "eur", " mxn ", "ARS", "CLP", "COP", "PEN", "UYU", "BRL"])
def test_reporting_currencies_include_the_spec_ones(code: str) -> None:
    assert fields.currency(code) == code.strip().upper()


@pytest.mark.parametrize("code", ["XAU", "XXX", "XTS", "HRK", "US", "DOLLAR", ""])
def test_non_currencies_are_refused(code: str) -> None:
    with pytest.raises(InvalidParameter):
        fields.currency(code)


def test_currency_list_is_three_letter_codes() -> None:
    assert len(ISO_4217) > 150
    assert all(len(code) == 3 and code.isalpha() and code.isupper() for code in ISO_4217)


@pytest.mark.parametrize("zone", ["UTC", "America/Mexico_City", "Europe/Madrid", "Asia/Kolkata"])
def test_iana_timezones_are_accepted(zone: str) -> None:
    assert fields.timezone(zone) == zone


@pytest.mark.parametrize("zone", ["", "utc", "GMT+25", "Mars/Olympus", "../etc/passwd"])
def test_non_iana_timezones_are_refused(zone: str) -> None:
    with pytest.raises(InvalidParameter):
        fields.timezone(zone)


@pytest.mark.parametrize(
    ("given", "expected"), [("Ana@Example.COM", "ana@example.com"), (" b@c.io ", "b@c.io")]
)
def test_emails_are_lowercased(given: str, expected: str) -> None:
    assert fields.email(given) == expected


@pytest.mark.parametrize("given", ["", "ana", "ana@", "@example.com", "a b@c.com", "a@b@c.com"])
def test_bad_emails_are_refused(given: str) -> None:
    with pytest.raises(InvalidParameter):
        fields.email(given)
