"""Rules for API keys and tracking keys: format, generation, hashing, scopes and usability.

Pure: no I/O. Times are aware datetimes; the caller passes the clock.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

API_KEY_PREFIX = "atb_live_"
TRACKING_KEY_PREFIX = "trk_live_"
# CHECKLIST §9 #45: we issue `trk_live_…` but accept any `trk_…` key.
TRACKING_KEY_FAMILY = "trk_"

KEY_ALPHABET = string.ascii_letters + string.digits
API_KEY_SECRET_LENGTH = 40  # base62: ~238 bits
TRACKING_KEY_SECRET_LENGTH = 24  # public (embedded in pages), only needs to be unguessable
DISPLAY_SECRET_CHARS = 8  # characters of the secret kept in the non-secret lookup prefix

ROTATION_GRACE = timedelta(hours=48)
DEFAULT_RATE_LIMIT_PER_MINUTE = 60

_API_KEY_RE = re.compile(rf"^{API_KEY_PREFIX}[A-Za-z0-9]{{{API_KEY_SECRET_LENGTH}}}$")
_TRACKING_KEY_RE = re.compile(r"^trk_[A-Za-z0-9_-]{8,120}$")


class Scope(StrEnum):
    ANALYTICS_READ = "analytics:read"
    CAMPAIGNS_READ = "campaigns:read"
    CONVERSIONS_READ = "conversions:read"
    CUSTOMERS_READ = "customers:read"
    VISITORS_READ = "visitors:read"
    REALTIME_READ = "realtime:read"
    CUSTOMERS_WRITE = "customers:write"  # create, change and erase customer profiles


# The spec's defaults for a new key; the PII scopes must be granted explicitly.
DEFAULT_SCOPES: frozenset[Scope] = frozenset(
    {Scope.ANALYTICS_READ, Scope.CAMPAIGNS_READ, Scope.CONVERSIONS_READ, Scope.REALTIME_READ}
)
PII_SCOPES: frozenset[Scope] = frozenset({Scope.CUSTOMERS_READ, Scope.VISITORS_READ})
# Never a default either: writes to the identity graph, erases included (decision 0982).
WRITE_SCOPES: frozenset[Scope] = frozenset({Scope.CUSTOMERS_WRITE})


class KeyStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class UnknownScope(ValueError):
    """A scope name that is not one of `Scope`."""


def random_secret(length: int) -> str:
    """`length` base62 characters from the OS's CSPRNG (no `-`/`_`: a double-click selects it)."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(length))


def new_api_key() -> str:
    return API_KEY_PREFIX + random_secret(API_KEY_SECRET_LENGTH)


def new_tracking_key() -> str:
    return TRACKING_KEY_PREFIX + random_secret(TRACKING_KEY_SECRET_LENGTH)


def is_api_key(text: str) -> bool:
    return _API_KEY_RE.fullmatch(text) is not None


def is_tracking_key(text: str) -> bool:
    return _TRACKING_KEY_RE.fullmatch(text) is not None


def display_prefix(api_key: str) -> str:
    """The non-secret head of a key (`atb_live_` + 8 characters), used for lookup and display."""
    return api_key[: len(API_KEY_PREFIX) + DISPLAY_SECRET_CHARS]


def hash_key(api_key: str) -> str:
    """SHA-256 hex digest; right for high-entropy keys (no salt or slow hash needed)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def hash_matches(api_key: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented key against a stored hash."""
    return hmac.compare_digest(hash_key(api_key).encode(), stored_hash.encode())


def parse_scopes(names: str | Iterable[str]) -> frozenset[Scope]:
    """Scopes from `a,b` text or a list of names; raises `UnknownScope`. Empty is an error."""
    parts = names.split(",") if isinstance(names, str) else list(names)
    cleaned = [part.strip() for part in parts if part.strip()]
    if not cleaned:
        raise UnknownScope("at least one scope is required")
    known = {scope.value: scope for scope in Scope}
    unknown = sorted(name for name in cleaned if name not in known)
    if unknown:
        raise UnknownScope(f"unknown scope(s): {', '.join(unknown)}")
    return frozenset(known[name] for name in cleaned)


def key_status(
    *, now: datetime, expires_at: datetime | None, revoked_at: datetime | None
) -> KeyStatus:
    """Revocation is instant and final; expiry takes effect at `expires_at` exactly."""
    if revoked_at is not None:
        return KeyStatus.REVOKED
    if expires_at is not None and expires_at <= now:
        return KeyStatus.EXPIRED
    return KeyStatus.ACTIVE


def is_usable(*, now: datetime, expires_at: datetime | None, revoked_at: datetime | None) -> bool:
    return key_status(now=now, expires_at=expires_at, revoked_at=revoked_at) is KeyStatus.ACTIVE


def grace_expiry(*, now: datetime, expires_at: datetime | None) -> datetime:
    """When a rotated key stops working: 48 h from now, never later than it would have anyway."""
    deadline = now + ROTATION_GRACE
    return deadline if expires_at is None else min(deadline, expires_at)
