"""A seeded set of journeys shared by the parity tests and the T9 benchmark: each converting
journey is its eligible touches (channel, hours before the conversion), oldest first."""

from __future__ import annotations

import random
from dataclasses import dataclass

CHANNELS = (
    "Paid Social",
    "Paid Search",
    "Organic Search",
    "Email",
    "Referral",
    "Direct",
    "Display",
    "Affiliate",
)
WEIGHTS = (0.24, 0.18, 0.14, 0.1, 0.08, 0.18, 0.04, 0.04)


@dataclass(frozen=True, slots=True)
class Journey:
    channels: tuple[str, ...]
    hours_before: tuple[float, ...]  # descending: the first touch is the oldest
    converted: bool


def journeys(count: int, *, seed: int = 3, max_touches: int = 9) -> list[Journey]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        n = min(1 + int(rng.expovariate(1 / 2.6)), max_touches)
        channels = tuple(rng.choices(CHANNELS, WEIGHTS, k=n))
        hours = sorted((round(rng.uniform(0, 29 * 24), 3) for _ in range(n)), reverse=True)
        converted = rng.random() < 0.35 + 0.05 * ("Paid Search" in channels)
        out.append(Journey(channels, tuple(hours), converted))
    return out
