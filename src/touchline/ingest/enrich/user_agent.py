"""User agent → device class (desktop/mobile/tablet), browser family and OS family, with
ua-parser's regex (Rust) resolver and an LRU cache keyed by the user-agent string.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import ua_parser
from ua_parser.regex import Resolver as RegexResolver

from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.client_ip import event_user_agent
from touchline.ingest.enrich.step import DropReason, Row
from touchline.ingest.protocol import RawEvent

CACHE_SIZE: Final = 8192
MOBILE_OS: Final = frozenset(
    {"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "Symbian OS", "Firefox OS"}
)
TABLET_MARKERS: Final = ("ipad", "tablet", "kindle", "silk/", "playbook")
# ua-parser names mobile variants separately; reports group by the browser itself.
BROWSER_NAMES: Final = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
    "Other": "",
}
OS_NAMES: Final = {"Mac OS X": "macOS", "Other": ""}


@dataclass(frozen=True, slots=True)
class Agent:
    """What one user-agent string says about the client."""

    device: str  # desktop, mobile, tablet, or "" when there is no user agent
    browser: str
    os: str
    is_spider: bool  # ua-parser's device family "Spider"


UNKNOWN_AGENT: Final = Agent(device="", browser="", os="", is_spider=False)


class UserAgentParser:
    """Parses user agents once each; thread-safe (the cache is functools.lru_cache)."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._parser = ua_parser.Parser(RegexResolver(ua_parser.load_lazy_builtins()))
        self.describe = lru_cache(maxsize=cache_size)(self._describe)

    def _describe(self, user_agent: str) -> Agent:
        if not user_agent:
            return UNKNOWN_AGENT
        result = self._parser.parse(user_agent)
        device_family = result.device.family if result.device else "Other"
        os_family = result.os.family if result.os else "Other"
        browser = result.user_agent.family if result.user_agent else "Other"
        return Agent(
            device=device_class(user_agent, os_family, device_family),
            browser=BROWSER_NAMES.get(browser, browser),
            os=OS_NAMES.get(os_family, os_family),
            is_spider=device_family == "Spider",
        )

    def __call__(self, event: RawEvent, ctx: RequestContext, row: Row) -> DropReason | None:
        agent = self.describe(event_user_agent(event, ctx))
        row["device"] = agent.device
        row["browser"] = agent.browser
        row["os"] = agent.os
        return None


def device_class(user_agent: str, os_family: str, device_family: str) -> str:
    """desktop, mobile or tablet. Android without "Mobile" is a tablet by Google's own
    convention; iPadOS Safari claims to be a Mac and so counts as desktop."""
    lowered = user_agent.lower()
    if device_family == "iPad" or any(marker in lowered for marker in TABLET_MARKERS):
        return "tablet"
    if os_family == "Android" and "mobile" not in lowered:
        return "tablet"
    if "mobi" in lowered or os_family in MOBILE_OS or device_family == "iPhone":
        return "mobile"
    return "desktop"
