"""Key rules: format, hashing, scopes, and when a key is usable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.domain import keys
from touchline.domain.keys import KeyStatus, Scope

# hypothesis takes naive bounds and attaches the timezone itself.
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
offsets = st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=400))
optional_moments = st.none() | moments
secrets_ = st.text(alphabet=keys.KEY_ALPHABET, min_size=40, max_size=40)


def test_new_api_keys_have_the_spec_prefix_and_are_unique() -> None:
    issued = {keys.new_api_key() for _ in range(200)}
    assert len(issued) == 200
    assert all(key.startswith("atb_live_") and keys.is_api_key(key) for key in issued)


def test_new_tracking_keys_are_trk_live_and_accepted() -> None:
    key = keys.new_tracking_key()
    assert key.startswith("trk_live_")
    assert keys.is_tracking_key(key)


@pytest.mark.parametrize("key", ["trk_abc12345", "trk_test_ABCdef123", "trk_live_x-y_z123"])
def test_any_trk_key_is_accepted(key: str) -> None:
    assert keys.is_tracking_key(key)


@pytest.mark.parametrize(
    "key", ["", "trk_", "trk_short", "atb_live_abcdefgh", "TRK_abcdefgh1", "trk_abc def12"]
)
def test_non_tracking_keys_are_refused(key: str) -> None:
    assert not keys.is_tracking_key(key)


@given(secrets_)
def test_hash_matches_only_its_own_key(secret: str) -> None:
    key = keys.API_KEY_PREFIX + secret
    stored = keys.hash_key(key)
    assert keys.hash_matches(key, stored)
    assert len(stored) == 64 and secret not in stored
    other = key[:-1] + ("a" if key[-1] != "a" else "b")
    assert not keys.hash_matches(other, stored)


@given(secrets_)
def test_display_prefix_reveals_only_eight_secret_characters(secret: str) -> None:
    key = keys.API_KEY_PREFIX + secret
    prefix = keys.display_prefix(key)
    assert prefix == "atb_live_" + secret[:8]
    assert key.startswith(prefix)


def test_default_scopes_are_the_spec_four_without_pii() -> None:
    assert {scope.value for scope in keys.DEFAULT_SCOPES} == {
        "analytics:read",
        "campaigns:read",
        "conversions:read",
        "realtime:read",
    }
    assert not keys.DEFAULT_SCOPES & keys.PII_SCOPES


@given(st.sets(st.sampled_from(list(Scope)), min_size=1))
def test_parse_scopes_round_trips_comma_text(scopes: set[Scope]) -> None:
    text = " , ".join(scope.value for scope in scopes)
    assert keys.parse_scopes(text) == frozenset(scopes)
    assert keys.parse_scopes([scope.value for scope in scopes]) == frozenset(scopes)


@pytest.mark.parametrize("text", ["", " , ", "analytics:read,admin:write", "analytics"])
def test_parse_scopes_refuses_empty_or_unknown(text: str) -> None:
    with pytest.raises(keys.UnknownScope):
        keys.parse_scopes(text)


@given(now=moments, expires_in=st.none() | offsets, revoked_ago=st.none() | offsets)
def test_revocation_wins_then_expiry_decides(
    now: datetime, expires_in: timedelta | None, revoked_ago: timedelta | None
) -> None:
    expires_at = None if expires_in is None else now + expires_in
    revoked_at = None if revoked_ago is None else now - revoked_ago
    status = keys.key_status(now=now, expires_at=expires_at, revoked_at=revoked_at)
    if revoked_at is not None:
        assert status is KeyStatus.REVOKED
    elif expires_at is not None and expires_at <= now:
        assert status is KeyStatus.EXPIRED
    else:
        assert status is KeyStatus.ACTIVE
    usable = keys.is_usable(now=now, expires_at=expires_at, revoked_at=revoked_at)
    assert usable == (status is KeyStatus.ACTIVE)


@given(now=moments, expires_at=optional_moments)
def test_rotation_grace_is_48_hours_and_never_extends_a_key(
    now: datetime, expires_at: datetime | None
) -> None:
    deadline = keys.grace_expiry(now=now, expires_at=expires_at)
    assert deadline <= now + timedelta(hours=48)
    if expires_at is None or expires_at >= now + timedelta(hours=48):
        assert deadline == now + timedelta(hours=48)
    else:
        assert deadline == expires_at


@given(now=moments)
def test_a_rotated_key_works_until_the_grace_ends(now: datetime) -> None:
    deadline = keys.grace_expiry(now=now, expires_at=None)
    just_before = deadline - timedelta(microseconds=1)
    assert keys.is_usable(now=just_before, expires_at=deadline, revoked_at=None)
    assert not keys.is_usable(now=deadline, expires_at=deadline, revoked_at=None)
