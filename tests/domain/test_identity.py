"""Identifier normalization, priority and anonymous names (CHECKLIST §3.4, §3.12)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.identity import (
    IdentifierKind,
    anonymous_name,
    identifiers_of,
    normalize_email,
    normalize_phone,
    strongest,
)

K = IdentifierKind


def test_emails_are_lowercased_and_invalid_ones_refused() -> None:
    assert normalize_email("  Jane@Example.COM ") == "jane@example.com"
    assert normalize_email("not-an-email") is None
    assert normalize_email("a@b") is None


def test_phones_become_e164_with_the_profile_region_as_default() -> None:
    assert normalize_phone("(55) 1234 5678", "MX") == "+525512345678"
    assert normalize_phone("+1 415-555-2671", None) == "+14155552671"
    assert normalize_phone("415-555-2671", None) is None  # no country code, no region
    assert normalize_phone("12", "US") is None


def test_identifiers_are_ordered_email_phone_then_external_ids() -> None:
    ids = identifiers_of(
        {"stripe_customer_id": "cus_1", "phone": "+14155552671", "email": "A@x.io", "name": "Al"},
        anonymous_id="anon-1",
    )
    assert [k for k, _ in ids.pairs] == [K.EMAIL, K.PHONE, K.STRIPE_CUSTOMER, K.ANONYMOUS_ID]
    assert strongest(ids) == (K.EMAIL, "a@x.io")
    assert ids.names == (("name", "Al"),)


def test_invalid_values_are_kept_aside_and_never_matched() -> None:
    ids = identifiers_of({"email": "nope", "phone": "12"}, anonymous_id="v")
    assert ids.pairs == ((K.ANONYMOUS_ID, "v"),)
    assert ids.invalid == (("email", "nope"), ("phone", "12"))


def test_names_never_become_identifiers() -> None:
    assert not identifiers_of({"first_name": "Jane", "last_name": "Doe"})


def test_anonymous_names_are_stable_color_animal_pairs() -> None:
    name = anonymous_name("p1", "visitor-1")
    assert name == anonymous_name("p1", "visitor-1")
    assert len(name.split()) == 2
    names = {anonymous_name("p1", f"v{i}") for i in range(2000)}
    assert {"Teal Falcon", "Coral Fox", "Jade Penguin"} <= names


@given(local=st.from_regex(r"[a-z]{1,10}", fullmatch=True), upper=st.booleans())
def test_email_normalization_is_case_insensitive_and_idempotent(local: str, upper: bool) -> None:
    raw = f"{local}@example.com"
    once = normalize_email(raw.upper() if upper else raw)
    assert once == f"{local}@example.com"
    assert normalize_email(once) == once
