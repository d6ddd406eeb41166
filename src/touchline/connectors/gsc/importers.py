"""`touchline import gsc FILE`: the searchAnalytics JSON (one answer or a list of pages; its
`keys` read by a `dimensions` list beside them, or by their shape), or a CSV with a Date and
a Query column. A file names no property: its rows are stored under the site ''."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, BinaryIO, Final

import orjson

from touchline.connectors import exports
from touchline.connectors.exports import first
from touchline.connectors.gsc import mapping
from touchline.connectors.gsc.mapping import Keyword
from touchline.errors import InvalidPayload
from touchline.ingest.protocol import RawEvent

FILE_SITE: Final = ""
DATE_COLUMNS: Final = ("Date", "Day")
QUERY_COLUMNS: Final = ("Query", "Top queries", "Queries")
PAGE_COLUMNS: Final = ("Page", "Top pages", "Landing page", "Pages")
POSITION_COLUMNS: Final = ("Position", "Average position", "Avg. position")
DEVICES: Final = frozenset({"DESKTOP", "MOBILE", "TABLET"})
_DAY: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNTRY: Final = re.compile(r"^[a-z]{3}$")


def import_keywords(handle: BinaryIO, *, default_currency: str) -> Iterator[RawEvent]:  # noqa: ARG001
    """Search data has no money: `default_currency` is not used."""
    raw = handle.read()
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        keywords = _from_json(raw)
    else:
        keywords = _from_csv(raw)
    return (keyword.record() for keyword in keywords)


def _from_json(raw: bytes) -> list[Keyword]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InvalidPayload(f"the file is not JSON: {error}") from None
    pages = body if isinstance(body, list) else [body]
    if not all(isinstance(page, dict) for page in pages):
        raise InvalidPayload('expected the searchAnalytics answer: {"rows": [...]}')
    rows = [row for page in pages for row in page.get("rows") or () if isinstance(row, dict)]
    given = next((page["dimensions"] for page in pages if page.get("dimensions")), None)
    dimensions = list(given) if given else infer_dimensions(rows)
    out = []
    for number, row in enumerate(rows, 1):
        try:
            out.append(mapping.keyword(row, dimensions=dimensions, site=FILE_SITE))
        except (ValueError, ArithmeticError, TypeError) as error:
            raise InvalidPayload(f"row {number}: {error}") from None
    return out


def infer_dimensions(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each key position's dimension by what every row holds there: days, URLs, devices,
    three-letter country codes; the one left is the query."""
    if not rows:
        return []
    width = len(rows[0].get("keys") or [])
    columns = [[str((row.get("keys") or [""] * width)[i]) for row in rows] for i in range(width)]
    found = [_shape(values) for values in columns]
    if found.count("query") > 1 or "date" not in found:
        raise InvalidPayload(
            'cannot tell which key is which: add "dimensions": ["date", "query", …] to the file'
        )
    if "query" not in found and found.count("country") == 1:
        found[found.index("country")] = "query"  # three-letter queries, no country asked
    if "query" not in found:
        raise InvalidPayload("the rows have no query key")
    return found


def _shape(values: Sequence[str]) -> str:
    if all(_DAY.match(v) for v in values):
        return "date"
    if all(v.startswith(("http://", "https://")) for v in values):
        return "page"
    if all(v.upper() in DEVICES for v in values):
        return "device"
    if all(_COUNTRY.match(v) for v in values):
        return "country"
    return "query"


def _from_csv(raw: bytes) -> list[Keyword]:
    try:
        table = exports.read_table(raw, required=[DATE_COLUMNS, QUERY_COLUMNS])
    except InvalidPayload:
        raise InvalidPayload(
            "a Search Console CSV needs a Date and a Query column (the console's own export has "
            "no day per row: export by date, or sync with `touchline sync gsc`)"
        ) from None
    out = []
    for line, row in table.rows:
        try:
            out.append(_csv_row(row))
        except (ValueError, ArithmeticError) as error:
            raise InvalidPayload(f"line {line}: {error}") from None
    return out


def _csv_row(row: Mapping[str, str]) -> Keyword:
    return Keyword(
        site=FILE_SITE, day=exports.day(first(row, *DATE_COLUMNS)),
        query=first(row, *QUERY_COLUMNS), page=first(row, *PAGE_COLUMNS),
        country=row.get("Country", "").strip().lower(), device=row.get("Device", "").upper(),
        clicks=exports.count(row.get("Clicks", "")),
        impressions=exports.count(row.get("Impressions", "")),
        position=float(exports.number(first(row, *POSITION_COLUMNS))),
    )  # fmt: skip
