"""Channel classification: the spec's nine channels as one ordered list of named rules over a
visit's click id, UTMs and referrer (CHECKLIST §3.1-3.3, §9 #3-#6). The first rule that
matches wins; `Direct` matches everything, so every visit gets exactly one channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from touchline.domain.sources import SourceCategory, SourceTable


class Channel(StrEnum):
    PAID_SOCIAL = "Paid Social"
    ORGANIC_SOCIAL = "Organic Social"
    PAID_SEARCH = "Paid Search"
    ORGANIC_SEARCH = "Organic Search"
    EMAIL = "Email"
    REFERRAL = "Referral"
    DIRECT = "Direct"
    DISPLAY = "Display"
    AFFILIATE = "Affiliate"


# The UTM page says "Affiliates" (§9 #3): accepted wherever a channel name is parsed.
CHANNEL_ALIASES: Final = {"Affiliates": Channel.AFFILIATE}


def parse_channel(text: str) -> Channel:
    """A channel from its exact (case-sensitive) name or an alias; ValueError otherwise."""
    return CHANNEL_ALIASES.get(text) or Channel(text)


class ClickIdType(StrEnum):
    FBCLID = "fbclid"
    GCLID = "gclid"
    MSCLKID = "msclkid"
    TTCLID = "ttclid"


# When a URL carries several click ids, the first here wins: gclid, msclkid and ttclid only
# ever come from ad clicks, while Meta adds fbclid to organic outbound links too.
CLICK_ID_PRECEDENCE: Final = (
    ClickIdType.GCLID,
    ClickIdType.MSCLKID,
    ClickIdType.TTCLID,
    ClickIdType.FBCLID,
)

SOCIAL_CLICK_IDS: Final = frozenset({"fbclid", "ttclid"})
SEARCH_CLICK_IDS: Final = frozenset({"gclid", "msclkid"})
PAID_MEDIUM_MARKERS: Final = ("paid", "cpc", "ppc")  # "contains", so paid_social, social-cpc…
EMAIL_MEDIUMS: Final = frozenset({"email", "e-mail", "e_mail", "e mail"})
DISPLAY_MEDIUMS: Final = frozenset({"display", "banner", "cpm", "expandable", "interstitial"})
AFFILIATE_MEDIUMS: Final = frozenset({"affiliate", "affiliates"})
SOCIAL_MEDIUMS: Final = frozenset(
    {"social", "social-network", "social-media", "sm", "social network", "social media"}
)
ORGANIC_MEDIUMS: Final = frozenset({"organic"})
REFERRAL_MEDIUMS: Final = frozenset({"referral", "app", "link"})
SOCIAL_CATEGORIES: Final = frozenset({SourceCategory.SOCIAL, SourceCategory.VIDEO})
# Shopping ads (Google Shopping, Amazon sponsored products) are bought like search ads.
PAID_SEARCH_CATEGORIES: Final = frozenset({SourceCategory.SEARCH, SourceCategory.SHOPPING})


@dataclass(frozen=True, slots=True)
class VisitSource:
    """What a visit tells about where it came from. `referrer_domain` is already empty for
    self-referrals and payment returns."""

    utm_source: str = ""
    utm_medium: str = ""
    click_id_type: str = ""
    referrer_domain: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    """A visit's source reduced to what the rules test (lowercased, categories looked up)."""

    click_id_type: str
    medium: str
    source: str
    category: SourceCategory | None  # of utm_source, else of the referrer
    has_referrer: bool

    @property
    def paid(self) -> bool:
        return any(marker in self.medium for marker in PAID_MEDIUM_MARKERS)


def facts_of(visit: VisitSource, table: SourceTable) -> Facts:
    category = table.category_of(visit.utm_source) if visit.utm_source else None
    if category is None and visit.referrer_domain:
        category = table.category_of(visit.referrer_domain)
    return Facts(
        click_id_type=visit.click_id_type.lower(),
        medium=visit.utm_medium.strip().lower(),
        source=visit.utm_source.strip().lower(),
        category=category,
        has_referrer=bool(visit.referrer_domain),
    )


def social_click_id(f: Facts) -> bool:
    return f.click_id_type in SOCIAL_CLICK_IDS


def search_click_id(f: Facts) -> bool:
    return f.click_id_type in SEARCH_CLICK_IDS


def paid_social(f: Facts) -> bool:
    return f.paid and f.category in SOCIAL_CATEGORIES


def paid_search(f: Facts) -> bool:
    return f.paid and f.category in PAID_SEARCH_CATEGORIES


def email(f: Facts) -> bool:
    return f.medium in EMAIL_MEDIUMS or f.source in EMAIL_MEDIUMS


def display(f: Facts) -> bool:
    return f.medium in DISPLAY_MEDIUMS


def affiliate(f: Facts) -> bool:
    return f.medium in AFFILIATE_MEDIUMS


def organic_social(f: Facts) -> bool:
    return f.category in SOCIAL_CATEGORIES or f.medium in SOCIAL_MEDIUMS


def organic_search(f: Facts) -> bool:
    return f.category is SourceCategory.SEARCH or f.medium in ORGANIC_MEDIUMS


def referral(f: Facts) -> bool:
    return f.has_referrer or f.medium in REFERRAL_MEDIUMS


def direct(_: Facts) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class ChannelRule:
    name: str
    matches: Callable[[Facts], bool]
    channel: Channel


# Order matters. Click ids win over anything the UTMs say (§9 #6); a paid medium needs a
# source on the social or search lists, otherwise it falls through to the later rules (§9 #5).
RULES: Final[tuple[ChannelRule, ...]] = (
    ChannelRule("social click id", social_click_id, Channel.PAID_SOCIAL),
    ChannelRule("search click id", search_click_id, Channel.PAID_SEARCH),
    ChannelRule("paid social", paid_social, Channel.PAID_SOCIAL),
    ChannelRule("paid search", paid_search, Channel.PAID_SEARCH),
    ChannelRule("email", email, Channel.EMAIL),
    ChannelRule("display", display, Channel.DISPLAY),
    ChannelRule("affiliate", affiliate, Channel.AFFILIATE),
    ChannelRule("organic social", organic_social, Channel.ORGANIC_SOCIAL),
    ChannelRule("organic search", organic_search, Channel.ORGANIC_SEARCH),
    ChannelRule("referral", referral, Channel.REFERRAL),
    ChannelRule("direct", direct, Channel.DIRECT),
)


def matching_rule(visit: VisitSource, table: SourceTable) -> ChannelRule:
    """The first rule that matches the visit (the last rule, `direct`, always does)."""
    facts = facts_of(visit, table)
    return next(rule for rule in RULES if rule.matches(facts))


def classify(visit: VisitSource, table: SourceTable) -> Channel:
    return matching_rule(visit, table).channel
