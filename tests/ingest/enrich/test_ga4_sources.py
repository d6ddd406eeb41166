"""The GA4 source-category list ships as package data and loads into a SourceTable."""

from __future__ import annotations

from collections import Counter
from importlib import resources

from touchline.domain.sources import SourceCategory
from touchline.ingest.enrich.sources import GA4_FILE, default_source_table


def test_the_packaged_list_has_googles_819_sources_in_four_categories() -> None:
    text = resources.files("touchline").joinpath("data", GA4_FILE).read_text(encoding="utf-8")
    rows = [line.split(",") for line in text.splitlines()[1:]]
    assert len(rows) == 819
    assert Counter(category for _, category in rows) == {
        "SOURCE_CATEGORY_SOCIAL": 592,
        "SOURCE_CATEGORY_SEARCH": 129,
        "SOURCE_CATEGORY_SHOPPING": 52,
        "SOURCE_CATEGORY_VIDEO": 46,
    }


def test_the_table_holds_every_listed_source_and_is_loaded_once() -> None:
    table = default_source_table()
    assert table is default_source_table()
    assert table.category_of("google") is SourceCategory.SEARCH
    assert table.category_of("Google Shopping") is SourceCategory.SHOPPING
    assert table.category_of("youtube") is SourceCategory.VIDEO
    assert table.category_of("43things") is SourceCategory.SOCIAL
    assert len(table.categories) > 819
