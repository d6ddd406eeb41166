"""Channel classification: every row of the spec's channel tables (CHECKLIST §3.1-3.3), the
§9 resolutions, and properties that must hold for any visit."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from touchline.domain.channels import (
    RULES,
    Channel,
    VisitSource,
    classify,
    matching_rule,
    parse_channel,
)
from touchline.domain.sources import SourceTable
from touchline.ingest.enrich.sources import default_source_table

TABLE: SourceTable = default_source_table()


def channel(source: str = "", medium: str = "", click: str = "", referrer: str = "") -> Channel:
    return classify(VisitSource(source, medium, click, referrer), TABLE)


# (utm_source, utm_medium, click_id_type, referrer_domain) → channel
CONCEPTS_TABLE = [  # 004:L2349-2365, one case or more per row
    (("", "", "fbclid", ""), Channel.PAID_SOCIAL),
    (("", "", "ttclid", ""), Channel.PAID_SOCIAL),
    (("facebook", "paid", "", ""), Channel.PAID_SOCIAL),
    (("instagram", "cpc", "", ""), Channel.PAID_SOCIAL),
    (("linkedin", "ppc", "", ""), Channel.PAID_SOCIAL),
    (("tiktok", "paid_social", "", ""), Channel.PAID_SOCIAL),
    (("", "", "", "facebook.com"), Channel.ORGANIC_SOCIAL),
    (("", "", "", "instagram.com"), Channel.ORGANIC_SOCIAL),
    (("", "", "", "twitter.com"), Channel.ORGANIC_SOCIAL),
    (("", "", "", "linkedin.com"), Channel.ORGANIC_SOCIAL),
    (("", "", "", "x.com"), Channel.ORGANIC_SOCIAL),
    (("", "", "gclid", ""), Channel.PAID_SEARCH),
    (("", "", "msclkid", ""), Channel.PAID_SEARCH),
    (("google", "cpc", "", ""), Channel.PAID_SEARCH),
    (("bing", "ppc", "", ""), Channel.PAID_SEARCH),
    (("", "", "", "google.com"), Channel.ORGANIC_SEARCH),
    (("", "", "", "bing.com"), Channel.ORGANIC_SEARCH),
    (("", "", "", "search.yahoo.com"), Channel.ORGANIC_SEARCH),
    (("", "", "", "duckduckgo.com"), Channel.ORGANIC_SEARCH),
    (("", "", "", "baidu.com"), Channel.ORGANIC_SEARCH),
    (("newsletter", "email", "", ""), Channel.EMAIL),
    (("", "", "", "someblog.example"), Channel.REFERRAL),
    (("", "", "", ""), Channel.DIRECT),
    (("partner", "display", "", ""), Channel.DISPLAY),
    (("partner", "banner", "", ""), Channel.DISPLAY),
    (("partner", "cpm", "", ""), Channel.DISPLAY),  # §9 #4: the superset
    (("partner", "affiliate", "", ""), Channel.AFFILIATE),
]

UTM_PAGE_TABLE = [  # 004:L9547-9559
    (("facebook", "paid", "", ""), Channel.PAID_SOCIAL),
    (("facebook", "cpc", "", ""), Channel.PAID_SOCIAL),
    (("google", "paid", "", ""), Channel.PAID_SEARCH),
    (("google", "cpc", "", ""), Channel.PAID_SEARCH),
    (("", "", "fbclid", ""), Channel.PAID_SOCIAL),
    (("", "", "ttclid", ""), Channel.PAID_SOCIAL),
    (("", "", "gclid", ""), Channel.PAID_SEARCH),
    (("", "", "msclkid", ""), Channel.PAID_SEARCH),
    (("mailchimp", "email", "", ""), Channel.EMAIL),
    (("partner", "affiliates", "", ""), Channel.AFFILIATE),  # §9 #3: "Affiliates" accepted
    (("partner", "display", "", ""), Channel.DISPLAY),
    (("", "", "", "google.com"), Channel.ORGANIC_SEARCH),
    (("", "", "", "bing.com"), Channel.ORGANIC_SEARCH),
    (("", "", "", "facebook.com"), Channel.ORGANIC_SOCIAL),
    (("", "", "", "instagram.com"), Channel.ORGANIC_SOCIAL),
    (("", "", "", "news.example.org"), Channel.REFERRAL),
    (("", "", "", ""), Channel.DIRECT),
]

PRIORITY_AND_RESOLUTIONS = [
    # Click ids win over the UTMs (004:L2363-2365, L9537-9539).
    (("newsletter", "email", "fbclid", ""), Channel.PAID_SOCIAL),
    (("facebook", "paid", "gclid", ""), Channel.PAID_SEARCH),
    (("google", "organic", "ttclid", ""), Channel.PAID_SOCIAL),
    (("partner", "display", "msclkid", ""), Channel.PAID_SEARCH),
    # §9 #6: fbclid with a social referrer is still Paid Social.
    (("", "", "fbclid", "facebook.com"), Channel.PAID_SOCIAL),
    # §9 #5: a paid medium whose source is on neither list falls through to Referral/Direct.
    (("partner", "cpc", "", ""), Channel.DIRECT),
    (("partner", "paid", "", "partner.example"), Channel.REFERRAL),
    # ... but an unknown utm_source with a known referrer takes the referrer's category.
    (("fb_custom", "paid", "", "l.facebook.com"), Channel.PAID_SOCIAL),
    # §3.3: UTM values are stored as sent, but classification is not fooled by case.
    (("Facebook", "Paid", "", ""), Channel.PAID_SOCIAL),
    (("Google", "CPC", "", ""), Channel.PAID_SEARCH),
    # §3.3 (004:L3777): an email link without UTMs arrives as Direct.
    (("", "", "", ""), Channel.DIRECT),
    # Organic UTMs name the platform too.
    (("facebook", "social", "", ""), Channel.ORGANIC_SOCIAL),
    (("google", "organic", "", ""), Channel.ORGANIC_SEARCH),
    (("partner", "referral", "", ""), Channel.REFERRAL),
    # Video platforms count as social, shopping ads as search, organic shopping as a referral.
    (("youtube", "cpc", "", ""), Channel.PAID_SOCIAL),
    (("", "", "", "youtube.com"), Channel.ORGANIC_SOCIAL),
    (("Google Shopping", "cpc", "", ""), Channel.PAID_SEARCH),
    (("", "", "", "amazon.com"), Channel.REFERRAL),
    # cpm is display, not a paid-social marker, even with a social source.
    (("facebook", "cpm", "", ""), Channel.DISPLAY),
    # An unknown utm_source without a medium or referrer cannot be identified: Direct.
    (("partner", "", "", ""), Channel.DIRECT),
]

EXTENSION_REFERRERS = [
    "x.com", "threads.net", "bsky.app", "discord.com", "slack.com", "telegram.org",
    "mastodon.social", "mastodon.online", "github.com", "producthunt.com",
]  # fmt: skip


@pytest.mark.parametrize(("visit", "expected"), CONCEPTS_TABLE)
def test_concepts_page_rules(visit: tuple[str, str, str, str], expected: Channel) -> None:
    assert channel(*visit) is expected


@pytest.mark.parametrize(("visit", "expected"), UTM_PAGE_TABLE)
def test_utm_page_table(visit: tuple[str, str, str, str], expected: Channel) -> None:
    assert channel(*visit) is expected


@pytest.mark.parametrize(("visit", "expected"), PRIORITY_AND_RESOLUTIONS)
def test_priority_and_spec_resolutions(visit: tuple[str, str, str, str], expected: Channel) -> None:
    assert channel(*visit) is expected


@pytest.mark.parametrize("referrer", EXTENSION_REFERRERS)
def test_social_hosts_missing_from_the_ga4_list_are_organic_social(referrer: str) -> None:
    assert channel(referrer=referrer) is Channel.ORGANIC_SOCIAL


@pytest.mark.parametrize(
    "referrer", ["google.co.uk", "google.com.br", "www.google.de", "yandex.ru", "cn.bing.com"]
)
def test_search_engine_hosts_are_normalized_to_their_ga4_names(referrer: str) -> None:
    assert channel(referrer=referrer) is Channel.ORGANIC_SEARCH


def test_the_rules_cover_the_nine_channels_and_end_with_direct() -> None:
    assert len(Channel) == 9
    assert {rule.channel for rule in RULES} == set(Channel)
    assert RULES[-1].channel is Channel.DIRECT


def test_matching_rule_names_the_rule_that_decided() -> None:
    assert matching_rule(VisitSource("facebook", "paid"), TABLE).name == "paid social"
    assert matching_rule(VisitSource(click_id_type="gclid"), TABLE).name == "search click id"


def test_parse_channel_accepts_the_affiliates_alias_and_is_case_sensitive() -> None:
    assert parse_channel("Affiliates") is Channel.AFFILIATE
    assert parse_channel("Paid Social") is Channel.PAID_SOCIAL
    with pytest.raises(ValueError):
        parse_channel("paid social")


ascii_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyz.-_ ", max_size=20)
any_text = st.text(max_size=30)


@given(
    source=any_text, medium=any_text, referrer=any_text, click=st.sampled_from(["fbclid", "ttclid"])
)
def test_a_social_click_id_is_paid_social_whatever_else(
    source: str, medium: str, referrer: str, click: str
) -> None:
    assert channel(source, medium, click, referrer) is Channel.PAID_SOCIAL


@given(
    source=any_text, medium=any_text, referrer=any_text, click=st.sampled_from(["gclid", "msclkid"])
)
def test_a_search_click_id_is_paid_search_whatever_else(
    source: str, medium: str, referrer: str, click: str
) -> None:
    assert channel(source, medium, click, referrer) is Channel.PAID_SEARCH


@given(source=any_text, medium=any_text, click=any_text, referrer=any_text)
def test_every_visit_gets_one_of_the_nine_channels(
    source: str, medium: str, click: str, referrer: str
) -> None:
    assert channel(source, medium, click, referrer) in set(Channel)


@given(source=ascii_text, medium=ascii_text, referrer=ascii_text)
def test_utm_case_does_not_change_the_channel(source: str, medium: str, referrer: str) -> None:
    assert channel(source, medium, "", referrer) is channel(
        source.upper(), medium.upper(), "", referrer
    )


@given(source=ascii_text, medium=st.sampled_from(["paid", "cpc", "ppc", "paid_social", "x-cpc"]))
def test_a_paid_medium_never_invents_a_paid_channel_for_an_unknown_source(
    source: str, medium: str
) -> None:
    assume(TABLE.category_of(source) is None)
    assert channel(source, medium) not in {Channel.PAID_SOCIAL, Channel.PAID_SEARCH}


@given(referrer=ascii_text.filter(lambda text: text.strip() != ""))
def test_a_referrer_alone_is_never_direct_or_paid(referrer: str) -> None:
    result = channel(referrer=referrer)
    assert result in {Channel.ORGANIC_SOCIAL, Channel.ORGANIC_SEARCH, Channel.REFERRAL}
