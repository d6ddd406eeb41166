"""Search Console rows and files: keys by dimension (given or inferred from their shapes),
counts that must be whole, and files that cannot be daily keywords refused with the fix."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import orjson
import pytest
from tests.connectors.fixture_server import FIXTURES

from touchline.connectors.gsc import mapping
from touchline.connectors.gsc.importers import import_keywords, infer_dimensions
from touchline.errors import InvalidPayload


def keywords(content: bytes) -> list[dict[str, Any]]:
    events = import_keywords(io.BytesIO(content), default_currency="USD")
    return [e.payload or {} for e in events]


def test_a_row_is_read_by_the_dimensions_asked() -> None:
    row = orjson.loads((FIXTURES / "gsc" / "query_page1.json").read_bytes())["rows"][0]
    found = mapping.keyword(
        row,
        dimensions=("date", "query", "page", "country", "device"),
        site="sc-domain:clinic.example",
    )
    assert found == mapping.Keyword(
        site="sc-domain:clinic.example",
        day=date(2026, 10, 1),
        query="dentist near me",
        page="https://clinic.example/",
        country="esp",
        device="MOBILE",
        clicks=12,
        impressions=340,
        position=4.2647,
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"keys": ["2026-10-01"], "clicks": 1}, "1 keys for 2 dimensions"),
        ({"keys": ["2026-10-01", ""], "clicks": 1}, "needs its date and query"),
        ({"keys": ["2026-10-01", "q"], "clicks": 1.5}, "not a count"),
    ],
)
def test_rows_that_are_not_keywords(row: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mapping.keyword(row, dimensions=("date", "query"), site="")


@pytest.mark.parametrize(
    ("keys", "dimensions"),
    [
        ([["dentist", "2026-10-01", "MOBILE"]], ["query", "date", "device"]),
        (
            [["2026-10-01", "https://x.example/", "bra", "implants"]],
            ["date", "page", "country", "query"],
        ),
        ([["2026-10-01", "seo"]], ["date", "query"]),  # a three-letter query, no country
    ],
)
def test_dimensions_are_inferred_from_the_keys_shapes(
    keys: list[list[str]], dimensions: list[str]
) -> None:
    assert infer_dimensions([{"keys": k} for k in keys]) == dimensions


def test_dimensions_given_in_the_file_win() -> None:
    content = orjson.dumps(
        {"dimensions": ["query", "date"], "rows": [{"keys": ["seo", "2026-10-01"], "clicks": 2}]}
    )
    [row] = keywords(content)
    assert (row["query"], row["day"], row["clicks"]) == ("seo", "2026-10-01", 2)


def test_two_free_text_keys_cannot_be_told_apart() -> None:
    content = orjson.dumps({"rows": [{"keys": ["2026-10-01", "dentist", "Madrid"]}]})
    with pytest.raises(InvalidPayload, match='add "dimensions"'):
        keywords(content)


def test_the_consoles_own_export_has_no_days_and_is_refused_with_the_fix() -> None:
    with pytest.raises(InvalidPayload, match="no day per row"):
        keywords((FIXTURES / "gsc" / "console_queries.csv").read_bytes())


def test_a_bad_csv_line_refuses_the_file_naming_it() -> None:
    content = b"Date,Query,Clicks,Impressions,Position\n2026-10-01,dentist,many,3,1\n"
    with pytest.raises(InvalidPayload, match="line 2: 'many' is not a number"):
        keywords(content)
