"""Identifier normalization, priority and anonymous names (CHECKLIST §3.4, §3.12)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.identity import (
    PERSON_FIELDS,
    IdentifierKind,
    anonymous_name,
    backfill,
    display_name,
    identifiers_of,
    normalize_email,
    normalize_phone,
    person_fields,
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


def test_booleans_and_objects_are_not_identifiers() -> None:
    assert not identifiers_of({"user_id": True, "email": {"a": 1}, "phone": ["+14155552671"]})


def test_an_overlong_visitor_id_is_left_out_rather_than_cut() -> None:
    # Cutting it would give the mirror a visitor key no session has.
    assert not identifiers_of({}, anonymous_id="v" * 321)
    assert identifiers_of({}, anonymous_id="v" * 320).pairs == ((K.ANONYMOUS_ID, "v" * 320),)


def test_person_fields_take_contact_values_and_names_but_not_the_full_name() -> None:
    ids = identifiers_of(
        {"email": "a@x.io", "phone": "+14155552671", "first_name": "Al", "name": "Al Bo"}
    )
    assert person_fields(ids) == {
        "email": "a@x.io",
        "phone": "+14155552671",
        "first_name": "Al",
        "last_name": None,
    }


def test_display_names_prefer_first_and_last_then_a_full_name() -> None:
    assert display_name({"first_name": "Ana", "last_name": "Ruiz"}, "A. R.") == "Ana Ruiz"
    assert display_name({"last_name": "Ruiz"}) == "Ruiz"
    assert display_name({}, "  Ana Ruiz ") == "Ana Ruiz"
    assert display_name({}, "  ") is None


names = st.text(min_size=1, max_size=40)
field_values = st.one_of(st.none(), st.text(max_size=12))
person = st.fixed_dictionaries(dict.fromkeys(PERSON_FIELDS, field_values))


@given(first=names, last=names, full=names)
def test_names_never_become_identifiers_whatever_they_say(first: str, last: str, full: str) -> None:
    named = {"first_name": first, "last_name": last, "name": full}
    assert identifiers_of(named).pairs == ()
    with_email = identifiers_of({"email": "x@example.com", **named}, anonymous_id="v")
    assert with_email.pairs == identifiers_of({"email": "x@example.com"}, anonymous_id="v").pairs


@given(current=person, incoming=person)
def test_backfill_fills_empty_fields_and_never_overwrites(
    current: dict[str, str | None], incoming: dict[str, str | None]
) -> None:
    filled = backfill(current, incoming)
    for name in PERSON_FIELDS:
        assert filled[name] == (current[name] or incoming[name] or None)
    assert backfill(filled, incoming) == filled  # idempotent


@given(
    national=st.integers(min_value=2_000_000_000, max_value=9_999_999_999),
    style=st.sampled_from(["{}", "+1 {}", "1-{}", "({}) {}-{}"]),
)
def test_phone_normalization_is_idempotent(national: int, style: str) -> None:
    digits = str(national)
    raw = (
        style.format(digits[:3], digits[3:6], digits[6:]) if "(" in style else style.format(digits)
    )
    once = normalize_phone(raw, "US")
    assert once is None or (once.startswith("+1") and normalize_phone(once, None) == once)
    assert once == normalize_phone(digits, "US")


@given(raw=st.text(max_size=60))
def test_email_normalization_never_raises_and_is_idempotent(raw: str) -> None:
    once = normalize_email(raw)
    assert once is None or (once == once.lower() and normalize_email(once) == once)
