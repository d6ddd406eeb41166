"""What an enrichment step is: a callable that fills part of the row being built from the raw
event and the request, and returns a `DropReason` when the event must not be kept.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeAlias

from touchline.ingest.context import RequestContext
from touchline.ingest.protocol import RawEvent


class DropReason(StrEnum):
    BOT = "bot"
    INVALID_TIMESTAMP = "invalid_timestamp"
    TIMESTAMP_OUT_OF_RANGE = "timestamp_out_of_range"
    INVALID_URL = "invalid_url"
    SERVER_ONLY_TYPE = "server_only_type"  # a browser sent a type only connectors may send


Row: TypeAlias = dict[str, Any]
"""An enriched event being built: keys are exactly `store.schema.EVENT_COLUMN_NAMES`."""

Step: TypeAlias = Callable[[RawEvent, RequestContext, Row], DropReason | None]


class PayloadLimitError(ValueError):
    """A field of one event breaks a named protocol limit; the pipeline turns it into a 400
    naming the event's index."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
