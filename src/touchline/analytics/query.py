"""What every report shares: a profile's inclusive date range in its timezone, resolved to UTC
instants and local-day numbering the SQL can use without timezone functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from touchline.errors import InvalidDateRange, InvalidParameter
from touchline.store.base import Sql

MICROS_PER_DAY: Final = 86_400_000_000
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MAX_DAYS: Final = 3_660  # ten years: a guard against typos, not a product limit
_FLOOR_SHIFT: Final = 10  # days added before integer division so it floors on every engine


def parse_day(text: str, *, name: str) -> date:
    """A `YYYY-MM-DD` parameter; anything else is `invalid_parameter` naming it."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{name} must be a date as YYYY-MM-DD, got {text!r}") from None


def parse_whole_number(
    value: str | None, *, name: str, default: int, minimum: int, maximum: int | None = None
) -> int:
    """A whole-number parameter `name` in minimum..maximum (absent or empty → default)."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise InvalidParameter(
            f"{name} must be a whole number, got {value!r}", parameter=name
        ) from None
    if maximum is not None and not minimum <= number <= maximum:
        raise InvalidParameter(
            f"{name} must be between {minimum} and {maximum}, got {number}", parameter=name
        )
    if number < minimum:
        raise InvalidParameter(f"{name} must be {minimum} or more, got {number}", parameter=name)
    return number


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidParameter(f"unknown timezone {name!r}") from None


@dataclass(frozen=True, slots=True)
class Period:
    """Days `date_from`..`date_to` inclusive, in `timezone` (CHECKLIST §9 #49)."""

    date_from: date
    date_to: date
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise InvalidDateRange(
                f"date_from {self.date_from} is after date_to {self.date_to}",
            )
        if (self.date_to - self.date_from).days >= MAX_DAYS:
            raise InvalidDateRange(f"a period may span at most {MAX_DAYS} days")
        zone(self.timezone)

    @property
    def days(self) -> list[date]:
        count = (self.date_to - self.date_from).days + 1
        return [self.date_from + timedelta(days=n) for n in range(count)]

    @property
    def start(self) -> datetime:
        """The UTC instant the first local day begins."""
        return self._midnight(self.date_from)

    @property
    def end(self) -> datetime:
        """The UTC instant after the last local day ends (exclusive)."""
        return self._midnight(self.date_to + timedelta(days=1))

    def _midnight(self, day: date) -> datetime:
        local = datetime.combine(day, time(0), tzinfo=zone(self.timezone))
        return local.astimezone(UTC)

    def offset_changes(self) -> list[tuple[datetime, int]]:
        """Each UTC instant inside the period where the zone's offset changes (DST), with the
        offset from then on minus the offset at `start`, in seconds."""
        tz = zone(self.timezone)
        base = _offset(self.start, tz)
        changes: list[tuple[datetime, int]] = []
        day_start = self.start
        for day in self.days:
            day_end = self._midnight(day + timedelta(days=1))
            if _offset(day_start, tz) != _offset(day_end, tz):
                instant = _first_change(day_start, day_end, tz)
                changes.append((instant, _offset(instant, tz) - base))
            day_start = day_end
        return changes

    def local_day_sql(self, epoch_us: str, *, prefix: str = "tz") -> tuple[str, dict[str, Any]]:
        """SQL numbering the local day (0 = `date_from`) of a time given as epoch microseconds
        (`epoch_us(column)`), and the parameters it uses.

        Integer arithmetic from `$<prefix>_start_us`, plus the DST shift in effect: no engine
        timezone functions, so both engines agree (and DuckDB avoids its slow calendar path).
        """
        params: dict[str, Any] = {f"{prefix}_start_us": _micros(self.start)}
        shift = "0"
        changes = self.offset_changes()
        if changes:
            whens = []
            for index, (instant, delta) in reversed(list(enumerate(changes))):
                params[f"{prefix}_change_{index}"] = _micros(instant)
                whens.append(f"WHEN {epoch_us} >= ${prefix}_change_{index} THEN {delta * 10**6}")
            shift = f"CASE {' '.join(whens)} ELSE 0 END"
        micros = f"{epoch_us} - ${prefix}_start_us + {shift}"
        floor = _FLOOR_SHIFT * MICROS_PER_DAY
        return f"(({micros} + {floor}) // {MICROS_PER_DAY} - {_FLOOR_SHIFT})", params


def _micros(instant: datetime) -> int:
    return (instant - EPOCH) // timedelta(microseconds=1)


def _offset(instant: datetime, tz: ZoneInfo) -> int:
    offset = instant.astimezone(tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _first_change(low: datetime, high: datetime, tz: ZoneInfo) -> datetime:
    """The first second in (low, high] whose offset differs from `low`'s (binary search)."""
    before = _offset(low, tz)
    lo, hi = 0, int((high - low).total_seconds())
    while lo < hi:
        mid = (lo + hi) // 2
        if _offset(low + timedelta(seconds=mid), tz) == before:
            lo = mid + 1
        else:
            hi = mid
    return low + timedelta(seconds=lo)


def bound_sql(text: str, params: dict[str, Any]) -> Sql:
    """`Sql` with only the parameters `text` names (engines refuse extra ones)."""
    return Sql(text, {k: v for k, v in params.items() if f"${k}" in text})
