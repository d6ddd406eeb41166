"""The tracking snippet a site pastes into its pages: the spec's snippet, with the profile's
tracking key and this server's URL filled in (the future settings page shows the same text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from touchline.web.tracker_bundle import SCRIPT_NAME

COLLECT_PATH: Final = "/api/tracking/collect"
# The `window.ATRIBU_*` globals the script reads (docs/tracker.md#configuration), beyond the
# four every snippet sets.
EXTRA_GLOBALS: Final = frozenset(
    {
        "API_HOST", "SESSION_TIMEOUT_MINUTES", "SESSION_MODE", "HEARTBEAT_INTERVAL_SECONDS",
        "ENABLE_CLICK_QUALITY", "ENABLE_WEB_VITALS", "ENABLE_CTA_TRACKING",
        "ENABLE_VIDEO_TRACKING", "IGNORED_PAGES", "BOOKING_PATTERNS", "CONSENT_MODE",
        "COOKIE_DOMAIN",
    }
)  # fmt: skip

DEFAULT_SESSION_TIMEOUT_MINUTES: Final = 30
DEFAULT_SESSION_MODE: Final = "inactivity_only"


class ConsentMode(StrEnum):
    """What the tracker waits for before it identifies anyone (docs/tracker.md#consent)."""

    NONE = "none"
    REQUIRED = "required"
    STRICT = "strict"


_HEAD: Final = """<script>
  window.ATRIBU_TRACKING_KEY = {key};
  window.ATRIBU_TRACKING_ENDPOINT = {endpoint};
  window.ATRIBU_INTERCEPT_FBQ = true;
  window.ATRIBU_META_BRIDGE_PAGEVIEW = false;
"""
# Calls made before the script has loaded queue here; the script replays them.
QUEUE_STUB: Final = """  window.atribuTracker = window.atribuTracker || function() {
    (window.atribuTracker.q = window.atribuTracker.q || []).push(arguments);
  };
"""
_TAIL: Final = (
    QUEUE_STUB
    + """</script>
<script src=SCRIPT defer></script>"""
)


def tracking_snippet(
    *, tracking_key: str, base_url: str, extra: Mapping[str, object] | None = None
) -> str:
    """The snippet for `tracking_key` served from `base_url` (scheme and host, no path).

    `extra` adds `window.ATRIBU_<NAME> = <JSON value>;` lines (one of EXTRA_GLOBALS each);
    without it the text is exactly the spec's snippet with the key and host replaced.
    """
    base = base_url.rstrip("/")
    unknown = set(extra or {}) - EXTRA_GLOBALS
    if unknown:
        raise ValueError(f"not tracker globals: {', '.join(sorted(unknown))}")
    head = _HEAD.format(key=json.dumps(tracking_key), endpoint=json.dumps(base + COLLECT_PATH))
    lines = "".join(
        f"  window.ATRIBU_{name} = {json.dumps(value)};\n" for name, value in (extra or {}).items()
    )
    return head + lines + _TAIL.replace("SCRIPT", json.dumps(f"{base}/{SCRIPT_NAME}.js"))


def profile_globals(
    *, session_timeout_minutes: int, session_mode: str, consent_mode: ConsentMode
) -> dict[str, object]:
    """The globals that make the browser follow a profile's settings: its session rule (so
    the session id in the cookie matches the server's sessions) and its consent mode. Empty
    for a profile on the defaults, whose snippet is then the spec's own."""
    extra: dict[str, object] = {}
    if session_timeout_minutes != DEFAULT_SESSION_TIMEOUT_MINUTES:
        extra["SESSION_TIMEOUT_MINUTES"] = session_timeout_minutes
    if session_mode != DEFAULT_SESSION_MODE:
        extra["SESSION_MODE"] = session_mode
    if consent_mode is not ConsentMode.NONE:
        extra["CONSENT_MODE"] = consent_mode.value
    return extra
