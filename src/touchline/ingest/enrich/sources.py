"""Loads the GA4 source-category list shipped in `touchline/data/` into a `SourceTable`."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from typing import Final

from touchline.domain.sources import SourceTable

GA4_FILE: Final = "ga4_source_categories.csv"


@cache
def default_source_table() -> SourceTable:
    """The GA4 list plus our extensions; read once per process."""
    text = resources.files("touchline").joinpath("data", GA4_FILE).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return SourceTable.from_rows((row["source"], row["source_category"]) for row in reader)
