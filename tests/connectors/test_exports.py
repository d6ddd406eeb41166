"""Reading console exports: the header found below title rows, total rows left out, UTF-16
tab-separated files, and numbers written for people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.connectors import exports
from touchline.errors import InvalidPayload

GOOGLE_EXPORT = """Campaign report
"October 1, 2026 - October 7, 2026"
Campaign,Day,Cost,Impr.
Brand,2026-10-05,"1,234.56","12,000"
Total: Account,--,"1,234.56","12,000"
Total: Search,--,"1,234.56","12,000"
"""


def test_the_header_is_found_below_title_rows_and_totals_are_left_out() -> None:
    table = exports.read_table(GOOGLE_EXPORT.encode(), required=[("Campaign",), ("Day",)])
    assert table.header == ("Campaign", "Day", "Cost", "Impr.")
    assert [(line, dict(row)) for line, row in table.rows] == [
        (4, {"Campaign": "Brand", "Day": "2026-10-05", "Cost": "1,234.56", "Impr.": "12,000"})
    ]


def test_utf16_tab_separated_exports_are_read() -> None:
    text = "Campaign\tDay\tCost\r\nMarca\t2026-10-05\t9,50\r\n"
    table = exports.read_table(text.encode("utf-16"), required=[("Campaign",)])
    assert [dict(row) for _, row in table.rows] == [
        {"Campaign": "Marca", "Day": "2026-10-05", "Cost": "9,50"}
    ]


def test_a_file_without_the_header_is_refused_naming_the_columns() -> None:
    with pytest.raises(InvalidPayload, match='"Campaign" or "Campaign ID" and "Day"'):
        exports.read_table(b"a,b\n1,2\n", required=[("Campaign", "Campaign ID"), ("Day",)])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("12,5", "12.5"),
        ("1,234", "1234"),
        ("1,234,567", "1234567"),
        ("€12.00", "12.00"),
        ("US$ 3", "3"),
        ("--", "0"),
        ("", "0"),
        ("3.2%", "3.2"),
        ("-4.5", "-4.5"),
        ("0.000001", "0.000001"),
    ],
)
def test_numbers_as_consoles_write_them(text: str, value: str) -> None:
    assert exports.number(text) == Decimal(value)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_a_number_with_thousands_separators_reads_back_exactly(value: Decimal) -> None:
    assert exports.number(f"{value:,.2f}") == value
    assert exports.number(f"{value:.2f}") == value


@pytest.mark.parametrize("text", ["1.5", "-3", "abc"])
def test_counts_are_whole_and_not_negative(text: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        exports.count(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-05",
        "2026/10/05",
        "20261005",
        "Oct 5, 2026",
        "October 5, 2026",
        "Mon, Oct 5, 2026",
        "5 Oct 2026",
    ],
)
def test_days_in_the_formats_consoles_export(text: str) -> None:
    assert exports.day(text) == date(2026, 10, 5)


def test_a_day_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="not a day"):
        exports.day("05/10/2026")
