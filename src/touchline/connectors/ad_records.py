"""Ad platform entities and daily insights as connectors build them (Meta, Google Ads), their
`ad_entity`/`ad_insight` records, and the roll-up of a file's finest rows into the levels it
lacks (analytics reads campaign rows for totals and each level's own rows for that level)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Final

from touchline.connectors.events import record_event
from touchline.domain.records import AdLevel, AdPlatform, RecordKind
from touchline.errors import InvalidPayload
from touchline.ingest.protocol import RawEvent

PARENT: Final = {AdLevel.AD: AdLevel.AD_SET, AdLevel.AD_SET: AdLevel.CAMPAIGN}
# Set on rows summed from finer rows: their reach is the sum of the finer rows' reach, an upper
# bound (one person reached by two ads counts twice).
ROLLED_UP: Final = "rolled_up_from"


@dataclass(frozen=True, slots=True)
class AdEntity:
    platform: AdPlatform
    level: AdLevel
    entity_id: str
    name: str = ""
    campaign_id: str = ""
    ad_set_id: str = ""
    status: str = ""
    account_id: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def record(self, *, at: datetime) -> RawEvent:
        data = {
            "platform": self.platform.value, "level": self.level.value,
            "entity_id": self.entity_id, "name": self.name, "campaign_id": self.campaign_id,
            "ad_set_id": self.ad_set_id, "status": self.status, "account_id": self.account_id,
            "details": dict(self.details),
        }  # fmt: skip
        return record_event(provider=self.platform.value, kind=RecordKind.AD_ENTITY, at=at,
                            data=data)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AdInsight:
    """One entity's delivery on one report day (the account's own day), spend in the
    account's currency. `metrics` holds the platform's other numbers as strings."""

    platform: AdPlatform
    level: AdLevel
    entity_id: str
    day: date
    spend: Decimal
    currency: str
    impressions: int = 0
    clicks: int = 0
    reach: int = 0
    campaign_id: str = ""
    ad_set_id: str = ""
    account_id: str = ""
    metrics: Mapping[str, Any] = field(default_factory=dict)

    def record(self) -> RawEvent:
        """Its record, timed at the report day (a restated day is a newer record of the same
        key; the content hash in the id tells them apart)."""
        data = {
            "platform": self.platform.value, "level": self.level.value,
            "entity_id": self.entity_id, "campaign_id": self.campaign_id,
            "ad_set_id": self.ad_set_id, "account_id": self.account_id,
            "day": self.day.isoformat(), "spend": str(self.spend), "currency": self.currency,
            "impressions": self.impressions, "clicks": self.clicks, "reach": self.reach,
            "metrics": dict(self.metrics),
        }  # fmt: skip
        at = datetime.combine(self.day, time(0), tzinfo=UTC)
        return record_event(provider=self.platform.value, kind=RecordKind.AD_INSIGHT, at=at,
                            data=data)  # fmt: skip


def roll_up(insights: Iterable[AdInsight]) -> list[AdInsight]:
    """The rows given plus, for each level above the finest one present and absent from the
    input, the sums of the level below per (parent, day, currency). Spend, impressions and
    clicks add up exactly; reach is summed too and marked `rolled_up_from`. A row repeated
    for the same (level, entity, day) counts once: the last one wins, as when stored."""
    rows = list({(row.level, row.entity_id, row.day): row for row in insights}.values())
    levels = {row.level for row in rows}
    for child in (AdLevel.AD, AdLevel.AD_SET):
        parent = PARENT[child]
        if child in levels and parent not in levels:
            rows += _sums(row for row in rows if row.level is child)
            levels.add(parent)
    return rows


def _sums(children: Iterable[AdInsight]) -> list[AdInsight]:
    out: dict[tuple[str, date, str], AdInsight] = {}
    for row in children:
        parent = _parent_of(row)
        key = (parent.entity_id, parent.day, parent.currency)
        seen = out.get(key)
        out[key] = parent if seen is None else _add(seen, parent)
    return list(out.values())


def _parent_of(row: AdInsight) -> AdInsight:
    level = PARENT[row.level]
    entity_id = row.ad_set_id if level is AdLevel.AD_SET else row.campaign_id
    if not entity_id:
        raise ValueError(f"an {row.level} row of {row.day} has no {level} id to roll up into")
    return replace(
        row, level=level, entity_id=entity_id,
        ad_set_id=row.ad_set_id if level is AdLevel.AD_SET else "",
        metrics={ROLLED_UP: row.level.value},
    )  # fmt: skip


def _add(a: AdInsight, b: AdInsight) -> AdInsight:
    return replace(
        a, spend=a.spend + b.spend, impressions=a.impressions + b.impressions,
        clicks=a.clicks + b.clicks, reach=a.reach + b.reach,
    )  # fmt: skip


def entities_of(insights: Iterable[AdInsight], names: Mapping[str, str]) -> list[AdEntity]:
    """The entities a file names (no status or details: a report export has none), one per
    (level, id); `names` maps "level:id" to the name the file gives it."""
    out: dict[tuple[AdLevel, str], AdEntity] = {}
    for row in insights:
        out.setdefault(
            (row.level, row.entity_id),
            AdEntity(
                platform=row.platform, level=row.level, entity_id=row.entity_id,
                name=names.get(f"{row.level.value}:{row.entity_id}", ""),
                campaign_id=row.campaign_id, ad_set_id=row.ad_set_id, account_id=row.account_id,
            ),
        )  # fmt: skip
    return sorted(out.values(), key=lambda e: (e.level.value, e.entity_id))


def named_id(*names: str) -> str:
    """An id for an entity an export names but does not number (exports omit ids unless
    asked): its name and its parent's id, so the same names give the same id in every file.
    '' when the entity itself has no name (the file is at a coarser level)."""
    if not names or not names[-1]:
        return ""
    return "name-" + hashlib.sha256("\x1f".join(names).encode()).hexdigest()[:16]


def known(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the details that have a value: an absent detail and an empty one must not make
    two versions of the same entity."""
    return {key: value for key, value in values.items() if value not in (None, "", [], {})}


def file_records(insights: list[AdInsight], names: Mapping[str, str]) -> Iterator[RawEvent]:
    """A report file's records: its entities (timed at its newest day), then its insights
    rolled up to the levels it lacks. Nothing for a file without rows."""
    if not insights:
        return
    try:
        rows = roll_up(insights)
    except ValueError as error:
        raise InvalidPayload(str(error)) from None
    at = datetime.combine(max(row.day for row in rows), time(0), tzinfo=UTC)
    for entity in entities_of(rows, names):
        yield entity.record(at=at)
    for row in rows:
        yield row.record()
