"""Bots: AI agents (assistants fetching a page for a person, and AI crawlers) are tagged in
`ai_agent` and kept; every other bot (ua-parser's Spider device, crawlerdetect) is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from crawlerdetect import CrawlerDetect

from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.client_ip import event_user_agent
from touchline.ingest.enrich.step import DropReason, Row
from touchline.ingest.enrich.user_agent import UserAgentParser
from touchline.ingest.protocol import RawEvent

CACHE_SIZE: Final = 8192

# Product tokens of AI agents and AI crawlers, as they appear in their user agents.
AI_AGENTS: Final = (
    "ChatGPT-User", "GPTBot", "OAI-SearchBot", "ClaudeBot", "Claude-User", "Claude-Web",
    "Claude-SearchBot", "anthropic-ai", "PerplexityBot", "Perplexity-User", "Google-Extended",
    "Google-CloudVertexBot", "Applebot-Extended", "Bytespider", "CCBot", "meta-externalagent",
    "meta-externalfetcher", "FacebookBot", "cohere-ai", "cohere-training-data-crawler",
    "MistralAI-User", "DuckAssistBot", "YouBot", "Amazonbot", "AI2Bot", "Diffbot",
    "Timpibot", "PanguBot", "ImagesiftBot", "Kangaroo Bot", "omgili",
)  # fmt: skip
_AI_PATTERN: Final = re.compile(
    "|".join(re.escape(token) for token in sorted(AI_AGENTS, key=len, reverse=True)),
    re.IGNORECASE,
)
_AI_NAMES: Final = {token.lower(): token for token in AI_AGENTS}


@dataclass(frozen=True, slots=True)
class Verdict:
    is_bot: bool  # dropped
    ai_agent: str  # tagged and kept


HUMAN: Final = Verdict(is_bot=False, ai_agent="")


def ai_agent_of(user_agent: str) -> str:
    """The AI agent's canonical token when the user agent names one, else ""."""
    match = _AI_PATTERN.search(user_agent)
    return _AI_NAMES[match.group().lower()] if match else ""


class BotDetector:
    """Judges each user-agent string once (LRU cache); thread-safe."""

    def __init__(self, agents: UserAgentParser, cache_size: int = CACHE_SIZE) -> None:
        self._agents = agents
        self._crawlers = CrawlerDetect()
        self.judge = lru_cache(maxsize=cache_size)(self._judge)

    def _judge(self, user_agent: str) -> Verdict:
        if not user_agent:
            return HUMAN
        if agent := ai_agent_of(user_agent):
            return Verdict(is_bot=False, ai_agent=agent)
        if self._agents.describe(user_agent).is_spider:
            return Verdict(is_bot=True, ai_agent="")
        # is_crawler also records `matches` on the shared instance; only its result is used.
        return Verdict(is_bot=bool(self._crawlers.is_crawler(user_agent)), ai_agent="")

    def __call__(self, event: RawEvent, ctx: RequestContext, row: Row) -> DropReason | None:
        verdict = self.judge(event_user_agent(event, ctx))
        if verdict.is_bot:
            return DropReason.BOT
        row["ai_agent"] = verdict.ai_agent
        return None
