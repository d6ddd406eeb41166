"""Search Console rows → `search_keyword` records (pure): the row's `keys` in the order of the
dimensions asked, clicks and impressions (JSON numbers), average position."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Final

from touchline.connectors.events import record_event
from touchline.domain.records import RecordKind
from touchline.ingest.protocol import RawEvent

PROVIDER: Final = "gsc"
POSITION_PLACES: Final = 4


@dataclass(frozen=True, slots=True)
class Keyword:
    """One query's clicks, impressions and average position on one day (Pacific Time, as
    Search Console cuts days), for a page, country and device when reported."""

    site: str
    day: date
    query: str
    page: str = ""
    country: str = ""
    device: str = ""
    clicks: int = 0
    impressions: int = 0
    position: float = 0.0

    def record(self) -> RawEvent:
        data = {
            "site": self.site, "day": self.day.isoformat(), "query": self.query,
            "page": self.page, "country": self.country, "device": self.device,
            "clicks": self.clicks, "impressions": self.impressions, "position": self.position,
        }  # fmt: skip
        at = datetime.combine(self.day, time(0), tzinfo=UTC)
        return record_event(provider=PROVIDER, kind=RecordKind.SEARCH_KEYWORD, at=at, data=data)


def keyword(row: Mapping[str, Any], *, dimensions: Sequence[str], site: str) -> Keyword:
    keys = row.get("keys") or []
    if len(keys) != len(dimensions):
        raise ValueError(f"a row with {len(keys)} keys for {len(dimensions)} dimensions")
    named = dict(zip(dimensions, (str(k) for k in keys), strict=True))
    if not named.get("date") or not named.get("query"):
        raise ValueError("a keyword row needs its date and query")
    return Keyword(
        site=site, day=date.fromisoformat(named["date"]), query=named["query"],
        page=named.get("page", ""), country=named.get("country", "").lower(),
        device=named.get("device", "").upper(), clicks=whole(row.get("clicks")),
        impressions=whole(row.get("impressions")), position=position(row.get("position")),
    )  # fmt: skip


def whole(value: Any) -> int:
    """Counts come as JSON numbers (3.0); a fraction or a negative is not a count."""
    number = Decimal(str(value or 0))
    if number < 0 or number != number.to_integral_value():
        raise ValueError(f"{value!r} is not a count")
    return int(number)


def position(value: Any) -> float:
    return round(float(Decimal(str(value or 0))), POSITION_PLACES)
