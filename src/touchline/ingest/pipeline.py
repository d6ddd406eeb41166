"""The enrichment pipeline: a named list of steps turning each `RawEvent` into an enriched-event
row (`store.schema.EVENT_COLUMNS`); any step may drop an event with a typed reason, and the
drops are counted per pipeline for `/health` and stats.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from touchline.errors import InvalidPayload
from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.bots import BotDetector
from touchline.ingest.enrich.channel import ChannelClassifier
from touchline.ingest.enrich.event import event_step
from touchline.ingest.enrich.geo import GeoLocator, find_geoip_files
from touchline.ingest.enrich.payload import payload_step
from touchline.ingest.enrich.referrer import referrer_step
from touchline.ingest.enrich.sources import default_source_table
from touchline.ingest.enrich.step import DropReason, PayloadLimitError, Row, Step
from touchline.ingest.enrich.timestamp import TimestampCheck
from touchline.ingest.enrich.url import url_step
from touchline.ingest.enrich.user_agent import UserAgentParser
from touchline.ingest.protocol import RawEvent
from touchline.settings import Settings
from touchline.store.schema import EVENT_COLUMNS, ColumnType

__all__ = [
    "ROW_TEMPLATE",
    "DropReason",
    "NamedStep",
    "Pipeline",
    "PipelineResult",
    "build_pipeline",
    "encode_rows",
]

_DEFAULTS: Final = {
    ColumnType.TEXT: "",
    ColumnType.TIMESTAMP: 0,
    ColumnType.UINT64: 0,
    ColumnType.INT64: 0,
    ColumnType.INT32: 0,
    ColumnType.FLOAT64: 0.0,
    ColumnType.MONEY: None,
    ColumnType.BOOL: False,
}
# Every row starts as a copy of this: exactly the event columns, in schema order.
ROW_TEMPLATE: Final[Row] = {column.name: _DEFAULTS[column.type] for column in EVENT_COLUMNS}


@dataclass(frozen=True, slots=True)
class NamedStep:
    name: str
    run: Step


@dataclass(frozen=True, slots=True)
class PipelineResult:
    rows: list[Row]
    dropped: Counter[DropReason] = field(default_factory=Counter)


class Pipeline:
    """Runs the steps in order over each event of a request. Thread-safe."""

    def __init__(self, steps: Sequence[NamedStep]) -> None:
        self.steps: tuple[NamedStep, ...] = tuple(steps)
        self._runs = tuple(step.run for step in self.steps)
        self._lock = threading.Lock()
        self._dropped: Counter[DropReason] = Counter()
        self._enriched = 0

    def run(self, events: Sequence[RawEvent], ctx: RequestContext) -> PipelineResult:
        """Enrich a request's events. Raises InvalidPayload (naming the event index and field)
        when any event breaks a payload limit: then nothing of the request is kept."""
        rows: list[Row] = []
        dropped: Counter[DropReason] = Counter()
        runs = self._runs
        for index, event in enumerate(events):
            row = ROW_TEMPLATE.copy()
            try:
                for run in runs:
                    reason = run(event, ctx, row)
                    if reason is not None:
                        dropped[reason] += 1
                        break
                else:
                    rows.append(row)
            except PayloadLimitError as error:
                message = f"events[{index}].{error.field}: {error.problem}"
                raise InvalidPayload(message, index=index, field=error.field) from None
        with self._lock:
            self._dropped.update(dropped)
            self._enriched += len(rows)
        return PipelineResult(rows=rows, dropped=dropped)

    @property
    def dropped(self) -> Counter[DropReason]:
        """Drops by reason since this pipeline was built (a copy)."""
        with self._lock:
            return Counter(self._dropped)

    def close(self) -> None:
        """Release what the steps hold open (the geo databases)."""
        for step in self.steps:
            close = getattr(step.run, "close", None)
            if callable(close):
                close()

    @property
    def enriched(self) -> int:
        """Events enriched and kept since this pipeline was built."""
        with self._lock:
            return self._enriched


def build_pipeline(settings: Settings) -> Pipeline:
    """The standard steps. Cheap checks that may drop run first; the channel step reads the
    fields the url and referrer steps wrote."""
    agents = UserAgentParser()
    return Pipeline(
        [
            NamedStep("payload", payload_step),
            NamedStep("event", event_step),
            NamedStep(
                "timestamp",
                TimestampCheck(
                    max_past_days=settings.collect_max_past_days,
                    max_future_skew_seconds=settings.collect_max_future_skew_seconds,
                ),
            ),
            NamedStep("bots", BotDetector(agents)),
            NamedStep("user_agent", agents),
            NamedStep("url", url_step),
            NamedStep("referrer", referrer_step),
            NamedStep("channel", ChannelClassifier(default_source_table())),
            NamedStep("geo", GeoLocator(find_geoip_files(settings.geoip_path, settings.data_dir))),
        ]
    )


def encode_rows(rows: Sequence[dict[str, Any]]) -> bytes:
    """NDJSON for the spool: one orjson object per row and line, keys in schema order."""
    return b"".join(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE) for row in rows)
