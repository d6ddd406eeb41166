"""What the ingest path knows about a request: the profile it belongs to and the client."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from touchline.domain.attribution.settings import AttributionSettings


class SessionMode(StrEnum):
    INACTIVITY_ONLY = "inactivity_only"
    INACTIVITY_OR_SOURCE_CHANGE = "inactivity_or_source_change"


@dataclass(frozen=True, slots=True)
class ProfileContext:
    """The profile settings processing needs (enrichment, sessions, conversions, attribution)."""

    profile_id: str
    domains: frozenset[str] = frozenset()
    timezone: str = "UTC"
    session_timeout_minutes: int = 30
    session_mode: SessionMode = SessionMode.INACTIVITY_ONLY
    currency: str = "USD"  # the reporting currency conversions are normalized into
    phone_region: str | None = None  # default region for phone numbers without a country code
    attribution: AttributionSettings = field(default_factory=AttributionSettings)


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One collect request (or one import file). The client IP is used for geo, never stored."""

    profile: ProfileContext
    client_ip: str
    user_agent: str
    received_at_us: int
    origin: str = "tracker"
    # Live traffic must carry a recent timestamp; imports (live=False) accept any history and
    # take `ip`/`user_agent` from each event.
    live: bool = True
