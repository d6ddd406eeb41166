"""FX rates: ECB's shipped history seeded once, CSV imports all-or-nothing, lookups by day."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from currency_converter import CurrencyConverter
from sqlalchemy import func, select

from touchline.control.db import Database
from touchline.control.models.fx_rate import FxRate
from touchline.control.repos import fx_rates
from touchline.control.repos.fx_rates import LOOKBACK, RateBook
from touchline.errors import InvalidPayload

MONDAY, FRIDAY, SUNDAY = date(2026, 3, 2), date(2026, 2, 27), date(2026, 3, 1)


def archive(tmp_path: Path, *lines: str, name: str = "ecb.zip") -> Path:
    """A zip shaped like ECB's eurofxref-hist (newest day first, trailing commas, N/A)."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("eurofxref-hist.csv", "Date,USD,MXN,CYP,\n" + "\n".join(lines) + "\n")
    return path


def count(database: Database, source: str) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).where(FxRate.source == source)) or 0)


def book(database: Database, *currencies: str) -> RateBook:
    with database.read() as session:
        return RateBook.load(session, currencies)


def csv_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rates.csv"
    path.write_text(text, encoding="utf-8")
    return path


def import_rates(database: Database, path: Path) -> int:
    with database.transaction() as session:
        return fx_rates.import_csv(session, path)


def test_the_shipped_ecb_history_is_seeded_once_and_matches_currency_converter(
    database: Database,
) -> None:
    with database.transaction() as session:
        written = fx_rates.seed_ecb(session)
    assert written == sum(1 for _ in fx_rates.ecb_rows()) > 200_000
    with database.transaction() as session:
        assert not fx_rates.needs_seed(session)
        assert fx_rates.seed_ecb(session) == 0
    rates = book(database, "MXN", "USD", "JPY")
    oracle = CurrencyConverter(fallback_on_missing_rate=True)
    for day in (MONDAY, FRIDAY, date(2025, 12, 24), date(2020, 7, 1)):
        for source, target in (("MXN", "USD"), ("USD", "JPY"), ("EUR", "MXN")):
            expected = oracle.convert(1, source, target, date=day)
            assert rates.rate(source, target, day) == pytest.approx(expected, rel=1e-12)


def test_a_newer_archive_replaces_ecb_rows_and_keeps_imported_ones(
    database: Database, tmp_path: Path
) -> None:
    old = archive(tmp_path, "2026-02-27,1.10,20.0,N/A,", "2026-02-26,1.09,19.9,N/A,")
    new = archive(
        tmp_path, "2026-03-02,1.12,20.2,N/A,", "2026-02-27,1.11,20.1,N/A,", name="new.zip"
    )
    import_rates(database, csv_file(tmp_path, "date,currency,per_eur\n2026-03-02,COP,4300\n"))
    with database.transaction() as session:
        assert fx_rates.seed_ecb(session, archive=old) == 4  # N/A and the empty column skipped
        assert fx_rates.seed_ecb(session, archive=old) == 0
        assert fx_rates.needs_seed(session, archive=new)
        assert fx_rates.seed_ecb(session, archive=new) == 4
    assert (count(database, "ecb"), count(database, "import")) == (4, 1)
    assert book(database, "USD").per_eur("USD", FRIDAY) == 1.11


def test_a_day_without_a_rate_uses_the_latest_earlier_one_within_the_lookback(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        fx_rates.seed_ecb(session, archive=archive(tmp_path, "2026-02-27,1.10,20.0,,"))
    rates = book(database, "USD", "MXN")
    assert rates.per_eur("USD", SUNDAY) == 1.10  # the weekend uses Friday's rate
    assert rates.per_eur("USD", FRIDAY + LOOKBACK) == 1.10
    assert rates.per_eur("USD", FRIDAY + LOOKBACK + LOOKBACK / LOOKBACK.days) is None
    assert rates.per_eur("USD", date(2026, 2, 26)) is None  # nothing earlier
    assert rates.rate("MXN", "USD", SUNDAY) == pytest.approx(1.10 / 20.0)


def test_a_missing_rate_is_none_never_one(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        fx_rates.seed_ecb(session, archive=archive(tmp_path, "2026-02-27,1.10,20.0,,"))
    rates = book(database, "USD", "COP")
    assert rates.rate("COP", "USD", MONDAY) is None
    assert rates.rate("USD", "COP", MONDAY) is None
    assert rates.rate("COP", "COP", MONDAY) == 1.0
    assert rates.rate("EUR", "USD", MONDAY) == 1.10
    assert RateBook().rate("USD", "MXN", MONDAY) is None


def test_an_imported_rate_wins_over_ecb_for_its_day_only(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        fx_rates.seed_ecb(
            session, archive=archive(tmp_path, "2026-03-02,1.12,20.2,,", "2026-02-27,1.10,20.0,,")
        )
    import_rates(database, csv_file(tmp_path, "date,currency,per_eur\n2026-03-02,usd,1.5\n"))
    rates = book(database, "USD")
    assert (rates.per_eur("USD", MONDAY), rates.per_eur("USD", FRIDAY)) == (1.5, 1.10)


def test_a_csv_import_adds_currencies_ecb_lacks(database: Database, tmp_path: Path) -> None:
    text = (
        "\ufeffDate, Currency ,PER_EUR\n"
        "2026-03-02,COP,4300.5\n"
        "2026-03-02,ars,1050\n"
        "\n"
        " 2026-02-27 , CLP , 1010.25 \n"
    )
    assert import_rates(database, csv_file(tmp_path, text)) == 3
    rates = book(database, "COP", "ARS", "CLP")
    assert rates.per_eur("COP", MONDAY) == 4300.5
    assert rates.per_eur("ARS", MONDAY) == 1050.0
    assert rates.per_eur("CLP", SUNDAY) == 1010.25


def test_importing_a_day_again_replaces_its_rate(database: Database, tmp_path: Path) -> None:
    import_rates(database, csv_file(tmp_path, "date,currency,per_eur\n2026-03-02,COP,4300\n"))
    import_rates(database, csv_file(tmp_path, "date,currency,per_eur\n2026-03-02,COP,4400\n"))
    assert count(database, "import") == 1
    assert book(database, "COP").per_eur("COP", MONDAY) == 4400.0


def test_one_bad_line_rejects_the_whole_file_naming_every_bad_line(
    database: Database, tmp_path: Path
) -> None:
    text = (
        "date,currency,per_eur\n"
        "2026-03-02,COP,4300\n"  # fine, but not written: all or nothing
        "2026-13-01,COP,4300\n"
        "2026-03-02,PESO,1\n"
        "2026-03-02,ARS,-1\n"
        "2026-03-02,ARS,nan\n"
        "2026-03-02,EUR,1\n"
        "2026-03-02,ARS\n"
        "2026-03-02,COP,4301\n"
    )
    with pytest.raises(InvalidPayload) as raised:
        import_rates(database, csv_file(tmp_path, text))
    message = raised.value.message
    for line in range(3, 10):
        assert f"line {line}:" in message
    assert "line 2:" not in message
    assert "repeats line 2" in message
    assert count(database, "import") == 0


@pytest.mark.parametrize("header", ["date,base,quote,rate", "", "currency,date,per_eur"])
def test_a_file_without_the_documented_header_is_refused(
    database: Database, tmp_path: Path, header: str
) -> None:
    with pytest.raises(InvalidPayload, match="line 1: the header must be date,currency,per_eur"):
        import_rates(database, csv_file(tmp_path, f"{header}\n2026-03-02,COP,4300\n"))


def test_an_unreadable_file_is_a_clear_error(database: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidPayload, match="cannot read"):
        import_rates(database, tmp_path / "missing.csv")


def test_a_bounded_load_keeps_the_rate_a_lookback_before_its_start(
    database: Database, tmp_path: Path
) -> None:
    import_rates(database, csv_file(tmp_path, "date,currency,per_eur\n2026-02-27,COP,4300\n"))
    with database.read() as session:
        rates = RateBook.load(session, ["COP"], start=MONDAY, end=MONDAY)
        later = RateBook.load(session, ["COP"], start=FRIDAY + LOOKBACK * 2, end=None)
    assert rates.per_eur("COP", MONDAY) == 4300.0
    assert later.days == {}
