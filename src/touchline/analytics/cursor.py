"""Keyset cursors of the newest-first lists (customers, visitors): `"<time>|<id>"`, where the
time is the last row's ISO 8601 instant (UTC, `Z`, microseconds when it has them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from touchline.errors import InvalidParameter


@dataclass(frozen=True, slots=True)
class Cursor:
    """The last row of a page: the next page holds the rows strictly after it in the order
    `time desc, id desc`."""

    time: datetime
    id: str

    @classmethod
    def parse(cls, time: str | None, id: str | None) -> Cursor | None:
        """From `cursor_time` and `cursor_id` (both or neither)."""
        if not time and not id:
            return None
        if not time or not id:
            missing = "cursor_time" if not time else "cursor_id"
            raise InvalidParameter(f"{missing} is required with the other cursor parameter")
        try:
            instant = datetime.fromisoformat(time)
        except ValueError:
            raise InvalidParameter(f"cursor_time must be an ISO 8601 time, got {time!r}") from None
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        return cls(instant.astimezone(UTC), id)

    @property
    def text(self) -> str:
        return f"{iso_utc(self.time)}|{self.id}"

    def params(self) -> dict[str, Any]:
        return {"cursor_time": self.time, "cursor_id": self.id}


def cursor_clause(time_column: str, id_column: str) -> str:
    """SQL keeping the rows after `$cursor_time`/`$cursor_id` (bound by `Cursor.params`)."""
    return (
        f"({time_column} < $cursor_time"
        f" OR ({time_column} = $cursor_time AND {id_column} < $cursor_id))"
    )


def iso_utc(instant: datetime) -> str:
    """`2026-03-22T14:30:00Z` (with `.ffffff` when the instant has microseconds)."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
