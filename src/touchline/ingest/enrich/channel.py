"""The channel of each event, from the rules in `domain.channels`, memoized by their inputs."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from touchline.domain.channels import VisitSource, classify
from touchline.domain.sources import SourceTable
from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.step import DropReason, Row
from touchline.ingest.protocol import RawEvent

CACHE_SIZE: Final = 16384


class ChannelClassifier:
    """Runs after the url and referrer steps, whose fields it reads from the row."""

    def __init__(self, table: SourceTable, cache_size: int = CACHE_SIZE) -> None:
        self._table = table
        self.channel_of = lru_cache(maxsize=cache_size)(self._channel_of)

    def _channel_of(self, utm_source: str, utm_medium: str, click_id: str, referrer: str) -> str:
        visit = VisitSource(utm_source, utm_medium, click_id, referrer)
        return classify(visit, self._table).value

    def __call__(self, _event: RawEvent, _ctx: RequestContext, row: Row) -> DropReason | None:
        row["channel"] = self.channel_of(
            row["utm_source"], row["utm_medium"], row["click_id_type"], row["referrer_domain"]
        )
        return None
