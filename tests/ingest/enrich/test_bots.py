"""Bots are dropped; AI agents are tagged and kept."""

from __future__ import annotations

import pytest

from touchline.ingest.enrich.bots import AI_AGENTS, BotDetector, ai_agent_of
from touchline.ingest.enrich.step import DropReason
from touchline.ingest.enrich.user_agent import UserAgentParser

from .events import CHROME, new_row, raw_event, request

DETECTOR = BotDetector(UserAgentParser())

BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/124.0.0.0 Safari/537.36",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
]

AI = [
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; "
     "+https://openai.com/bot", "ChatGPT-User"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1; "
     "+https://openai.com/gptbot)", "GPTBot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; OAI-SearchBot/1.0; "
     "+https://openai.com/searchbot)", "OAI-SearchBot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; "
     "+claudebot@anthropic.com)", "ClaudeBot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Claude-User/1.0; "
     "+Claude-User@anthropic.com)", "Claude-User"),
    ("Claude-Web/1.0 (web crawler; +claude-web@anthropic.com)", "Claude-Web"),
    ("anthropic-ai/1.0", "anthropic-ai"),
    ("Mozilla/5.0 (compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
     "PerplexityBot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Perplexity-User/1.0; "
     "+https://perplexity.ai/perplexity-user)", "Perplexity-User"),
    ("Google-Extended", "Google-Extended"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4 Safari/605.1.15 (Applebot-Extended/0.1)", "Applebot-Extended"),
    ("Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile "
     "Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", "Bytespider"),
    ("CCBot/2.0 (https://commoncrawl.org/faq/)", "CCBot"),
    ("meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
     "meta-externalagent"),
    ("cohere-ai", "cohere-ai"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; MistralAI-User/1.0; "
     "+https://docs.mistral.ai/robots)", "MistralAI-User"),
    ("DuckAssistBot/1.1; (+http://duckduckgo.com/duckassistbot.html)", "DuckAssistBot"),
]  # fmt: skip


@pytest.mark.parametrize("user_agent", BOTS)
def test_bots_are_dropped(user_agent: str) -> None:
    row = new_row()
    assert DETECTOR(raw_event(), request(user_agent=user_agent), row) is DropReason.BOT


@pytest.mark.parametrize(("user_agent", "name"), AI)
def test_ai_agents_are_tagged_not_dropped(user_agent: str, name: str) -> None:
    row = new_row()
    assert DETECTOR(raw_event(), request(user_agent=user_agent), row) is None
    assert row["ai_agent"] == name


def test_browsers_and_missing_agents_are_kept_untagged() -> None:
    for user_agent in (CHROME, ""):
        row = new_row(ai_agent="stale")
        assert DETECTOR(raw_event(), request(user_agent=user_agent), row) is None
        assert row["ai_agent"] == ""


def test_ai_agent_names_are_canonical_whatever_the_case() -> None:
    assert ai_agent_of("mozilla/5.0 (compatible; gptbot/1.1)") == "GPTBot"
    assert ai_agent_of(CHROME) == ""
    assert all(ai_agent_of(token) == token for token in AI_AGENTS)


def test_imports_are_judged_by_each_events_own_agent() -> None:
    event = raw_event(user_agent=BOTS[0])
    assert DETECTOR(event, request(live=False), new_row()) is DropReason.BOT
    assert DETECTOR(event, request(), new_row()) is None


def test_each_user_agent_is_judged_once() -> None:
    detector = BotDetector(UserAgentParser(), cache_size=4)
    detector.judge(BOTS[0])
    detector.judge(BOTS[0])
    assert detector.judge.cache_info().hits == 1
