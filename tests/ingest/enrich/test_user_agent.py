"""User agent → device class, browser and OS family, parsed once per string."""

from __future__ import annotations

import pytest

from touchline.ingest.enrich.user_agent import UserAgentParser, device_class

from .events import CHROME, new_row, raw_event, request

PARSER = UserAgentParser()

CASES = [
    (CHROME, ("desktop", "Chrome", "Windows")),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Safari/605.1.15",
        ("desktop", "Safari", "macOS"),
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        ("mobile", "Safari", "iOS"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36",
        ("mobile", "Chrome", "Android"),
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1",
        ("tablet", "Safari", "iOS"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        ("tablet", "Chrome", "Android"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        ("desktop", "Firefox", "Windows"),
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
        ("desktop", "Edge", "Linux"),
    ),
    ("", ("", "", "")),
]


@pytest.mark.parametrize(("user_agent", "expected"), CASES)
def test_user_agents_are_described(user_agent: str, expected: tuple[str, str, str]) -> None:
    agent = PARSER.describe(user_agent)
    assert (agent.device, agent.browser, agent.os) == expected
    assert not agent.is_spider


def test_spiders_are_flagged_for_the_bot_step() -> None:
    agent = PARSER.describe(
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    )
    assert agent.is_spider


def test_each_user_agent_is_parsed_once() -> None:
    parser = UserAgentParser(cache_size=8)
    first = parser.describe(CHROME)
    assert parser.describe(CHROME) is first
    assert parser.describe.cache_info().hits == 1


def test_the_step_fills_device_browser_and_os_from_the_events_agent_on_imports() -> None:
    row = new_row()
    iphone = CASES[2][0]
    assert PARSER(raw_event(user_agent=iphone), request(live=False), row) is None
    assert (row["device"], row["browser"], row["os"]) == ("mobile", "Safari", "iOS")
    PARSER(raw_event(user_agent=iphone), request(), row)  # live: the request's agent
    assert row["device"] == "desktop"


def test_device_class_rules() -> None:
    assert device_class("Kindle Silk/1.0", "Android", "Kindle") == "tablet"
    assert device_class("Something Mobile", "Other", "Other") == "mobile"
    assert device_class("Unknown/1.0", "Other", "Other") == "desktop"
