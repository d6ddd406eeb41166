"""A touch as the attribution rules see it: when, which channel, what kind, how engaged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

SESSION: Final = "session"
SYNTHETIC: Final = "synthetic"
IMPRESSION: Final = "impression"
DIRECT: Final = "Direct"

SYNTHETIC_ENGAGEMENT_FLOOR: Final = 25
"""A synthetic touch has no session to score: it weighs like a short, shallow visit."""
ENGAGEMENT_FLOOR: Final = 1
"""A zero-score visit still weighs something, so an all-zero path is credited linearly."""


@dataclass(frozen=True, slots=True)
class Touch:
    ts_us: int  # epoch µs, UTC
    channel: str
    touch_type: str = SESSION
    engagement_score: int = 0  # 0-100 (domain/engagement.py)
    key: int = 0  # touch_key: breaks ties between touches at the same instant


def engagement_weight(touch: Touch) -> int:
    if touch.touch_type == SYNTHETIC:
        return max(touch.engagement_score, SYNTHETIC_ENGAGEMENT_FLOOR)
    return max(min(touch.engagement_score, 100), ENGAGEMENT_FLOOR)
