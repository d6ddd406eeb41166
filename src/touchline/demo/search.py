"""Demo Search Console data: the clinic's organic queries by page and day, as the
searchAnalytics API reports them (clicks, impressions, average position)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from touchline.demo import catalog
from touchline.demo.ads import report_days
from touchline.demo.traffic import TrafficPlan

SITE: Final = "sc-domain:democlinic.example"
# (query, landing path, daily impressions, average position)
QUERIES: Final = (
    ("demo clinic", "/", 60, 1.2),
    ("dentist mexico city", "/", 420, 7.8),
    ("dental implants mexico city", "/services/dental-implants", 380, 5.4),
    ("implantes dentales precio", "/pricing", 300, 8.9),
    ("implants vs bridges", "/blog/implants-vs-bridges", 210, 4.1),
    ("teeth whitening cdmx", "/services/whitening", 260, 6.3),
    ("whitening myths", "/blog/whitening-myths", 150, 3.7),
    ("first dentist visit what to expect", "/blog/first-visit", 130, 5.0),
    ("invisible aligners price", "/services/orthodontics", 190, 9.6),
    ("emergency dentist near me", "/contact", 240, 11.2),
)
COUNTRIES: Final = (("mex", 0.8), ("usa", 0.15), ("can", 0.05))
DEVICES: Final = (("MOBILE", 0.68), ("DESKTOP", 0.28), ("TABLET", 0.04))


@dataclass(frozen=True, slots=True)
class KeywordDay:
    day: str
    query: str
    page: str
    country: str
    device: str
    clicks: int
    impressions: int
    position: float

    @property
    def ctr(self) -> float:
        return self.clicks / self.impressions if self.impressions else 0.0


def keyword_days(plan: TrafficPlan) -> Iterator[KeywordDay]:
    """Rows by query, page, day, country and device; clicks fall with the position."""
    for day in report_days(plan):
        rng = random.Random(f"{plan.seed}/gsc/{day.isoformat()}")
        for query, path, impressions, position in QUERIES:
            for country, country_share in COUNTRIES:
                for device, device_share in DEVICES:
                    shown = int(impressions * plan.scale * country_share * device_share
                                * rng.uniform(0.7, 1.3))  # fmt: skip
                    if shown == 0:
                        continue
                    rank = max(1.0, position * rng.uniform(0.85, 1.15))
                    clicks = int(shown * min(0.35, 0.3 / rank) * rng.uniform(0.7, 1.2))
                    yield KeywordDay(day.isoformat(), query, catalog.SITE + path, country,
                                     device, clicks, shown, round(rank, 1))  # fmt: skip


def api_answer(plan: TrafficPlan) -> dict[str, Any]:
    """`searchAnalytics/query` by query, page, date, country and device, as the API answers,
    with the dimensions named beside the rows (what `touchline import gsc` reads)."""
    rows = [
        {"keys": [k.query, k.page, k.day, k.country, k.device], "clicks": k.clicks,
         "impressions": k.impressions, "ctr": round(k.ctr, 6), "position": k.position}
        for k in keyword_days(plan)
    ]  # fmt: skip
    return {"dimensions": ["query", "page", "date", "country", "device"], "rows": rows,
            "responseAggregationType": "byPage"}  # fmt: skip
