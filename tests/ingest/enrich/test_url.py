"""Page URL → host, path, UTMs (case preserved) and click id; invalid URLs are dropped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.ingest.enrich.step import DropReason
from touchline.ingest.enrich.url import landing_of, url_step

from .events import new_row, raw_event, request


def enrich(url: str) -> dict[str, object]:
    row = new_row()
    assert url_step(raw_event(url=url), request(), row) is None
    return row


def test_host_path_and_utms_are_extracted_with_their_case() -> None:
    url = (
        "https://WWW.Example.com/Spring%20Sale?utm_source=Facebook&utm_medium=paid"
        "&utm_campaign=Spring+Sale&utm_content=video_ad_1&utm_term=crm%20tools#hero"
    )
    row = enrich(url)
    assert row["url"] == url
    assert (row["host"], row["path"]) == ("www.example.com", "/Spring Sale")
    assert [row[f"utm_{k}"] for k in ("source", "medium", "campaign", "content", "term")] == [
        "Facebook", "paid", "Spring Sale", "video_ad_1", "crm tools",
    ]  # fmt: skip
    assert (row["click_id_type"], row["click_id"]) == ("", "")


@pytest.mark.parametrize(
    ("query", "winner"),
    [
        ("fbclid=F&gclid=G", "gclid"),
        ("gclid=G&msclkid=M", "gclid"),
        ("msclkid=M&ttclid=T", "msclkid"),
        ("fbclid=F&ttclid=T", "ttclid"),
        ("fbclid=F", "fbclid"),
        ("fbclid=", ""),
    ],
)
def test_click_id_precedence(query: str, winner: str) -> None:
    row = enrich(f"https://example.com/?{query}")
    assert row["click_id_type"] == winner
    assert row["click_id"] == (winner[0].upper() if winner else "")


@pytest.mark.parametrize(
    "url", ["not a url", "/relative", "ftp://example.com/file", "javascript:alert(1)", "https://"]
)
def test_invalid_urls_are_dropped(url: str) -> None:
    assert url_step(raw_event(url=url), request(), new_row()) is DropReason.INVALID_URL


def test_events_without_a_url_keep_empty_fields() -> None:
    row = enrich("")
    assert (row["url"], row["host"], row["path"], row["utm_source"]) == ("", "", "", "")


@given(
    click=st.sampled_from(["fbclid", "gclid", "msclkid", "ttclid"]),
    value=st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True),
    utm=st.from_regex(r"[A-Za-z0-9_]{0,20}", fullmatch=True),
)
def test_a_single_click_id_is_always_found(click: str, value: str, utm: str) -> None:
    landing = landing_of(f"https://example.com/p?utm_medium={utm}&{click}={value}")
    assert landing is not None
    assert (landing.click_id_type, landing.click_id, landing.utm_medium) == (click, value, utm)
