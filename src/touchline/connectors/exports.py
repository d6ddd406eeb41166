"""Report exports people download from ad and search consoles: CSV or tab-separated, UTF-8 or
UTF-16, with title rows above the header and total rows among the data, numbers written for
people ("1,234.56", "--", "€12"). Reads them into rows keyed by column name."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from touchline.errors import InvalidPayload

HEADER_SEARCH_ROWS: Final = 12  # title and date-range rows some consoles put above the header
DATE_FORMATS: Final = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%b %d, %Y", "%B %d, %Y", "%a, %b %d, %Y",
    "%d %b %Y", "%d %B %Y",
)  # fmt: skip
_NOT_NUMBER: Final = re.compile(r"[^0-9.,\-]")
_EMPTY: Final = frozenset({"", "--", "-", "—", "n/a", "N/A"})


@dataclass(frozen=True, slots=True)
class Table:
    """The data rows of an export (title, blank and total rows left out) and, for messages,
    the file line each row came from."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, Mapping[str, str]], ...]

    def has(self, *names: str) -> bool:
        return any(name in self.header for name in names)


def read_table(raw: bytes, *, required: Sequence[Sequence[str]]) -> Table:
    """The export's rows under the first row holding one name of each `required` group."""
    text = _text(raw)
    lines = list(csv.reader(io.StringIO(text), dialect=_dialect(text)))
    for index, cells in enumerate(lines[:HEADER_SEARCH_ROWS]):
        header = tuple(cell.strip().lstrip("\ufeff") for cell in cells)
        if all(any(name in header for name in group) for group in required):
            rows = tuple(
                (number, dict(zip(header, (c.strip() for c in cells), strict=False)))
                for number, cells in enumerate(lines[index + 1 :], index + 2)
                if any(c.strip() for c in cells) and not _is_total(cells)
            )
            return Table(header, rows)
    wanted = " and ".join(" or ".join(f'"{name}"' for name in group) for group in required)
    raise InvalidPayload(f"no header row with {wanted} in the first {HEADER_SEARCH_ROWS} rows")


def _text(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as error:
            raise InvalidPayload("the file is not UTF-8, UTF-16 or Windows-1252 text") from error


def _dialect(text: str) -> type[csv.Dialect]:
    """Tabs (Google's "Excel CSV"), semicolons (European spreadsheets) or commas."""
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    counts = {"\t": sample.count("\t"), ";": sample.count(";"), ",": sample.count(",")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    return csv.excel_tab if delimiter == "\t" else _semicolon if delimiter == ";" else csv.excel


class _semicolon(csv.excel):
    delimiter = ";"


def _is_total(cells: Sequence[str]) -> bool:
    """Google's "Total: Account", "Total: Campaigns" … rows, and a bare "Total"."""
    first = next((c.strip() for c in cells if c.strip()), "")
    return first.lower() == "total" or first.lower().startswith("total:")


def first(row: Mapping[str, str], *names: str) -> str:
    """The value of the first of `names` the row has (exports name columns differently)."""
    return next((row[name] for name in names if row.get(name, "") not in ("", None)), "")


def number(text: str) -> Decimal:
    """A number as consoles write it: "1,234.56", "1.234,56", "€12", "3.2%", "--" (= 0)."""
    if text.strip() in _EMPTY:
        return Decimal(0)
    cleaned = _NOT_NUMBER.sub("", text.strip())
    if not any(c.isdigit() for c in cleaned):
        raise ValueError(f"{text!r} is not a number")
    try:
        return Decimal(_decimal_point(cleaned))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None


def _decimal_point(text: str) -> str:
    """The last of "." and "," is the decimal point when both appear; a lone "," is one
    unless exactly three digits follow each (then it groups thousands)."""
    if "," in text and "." in text:
        point = max(text.rfind(","), text.rfind("."))
        return text[:point].replace(",", "").replace(".", "") + "." + text[point + 1 :]
    if "," in text:
        groups = text.split(",")
        if len(groups) > 2 or all(len(g) == 3 for g in groups[1:]):
            return text.replace(",", "")
        return text.replace(",", ".")
    return text


def count(text: str) -> int:
    value = number(text)
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"{text!r} is not a count")
    return int(value)


def day(text: str) -> date:
    """A report day in one of the formats consoles export."""
    cleaned = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()  # noqa: DTZ007 (a day, no time)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a day (expected e.g. 2026-10-01)")
