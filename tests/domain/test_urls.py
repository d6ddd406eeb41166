"""URL parts for ingest: host, path, wanted query parameters, same-site checks."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.urls import bare_host, is_same_site, query_params, split_url

UTMS = frozenset({"utm_source", "utm_medium", "gclid"})


@pytest.mark.parametrize(
    ("url", "host", "path", "query"),
    [
        ("https://Example.COM/Pricing?a=1#top", "example.com", "/Pricing", "a=1"),
        ("https://example.com", "example.com", "/", ""),
        ("http://user:pw@example.com:8080/x", "example.com", "/x", ""),
        ("https://[2001:db8::1]:443/a", "2001:db8::1", "/a", ""),
        ("https://example.com./caf%C3%A9", "example.com", "/café", ""),
        ("https://example.com?utm_source=x", "example.com", "/", "utm_source=x"),
        ("android-app://com.google.android.gm/", "com.google.android.gm", "/", ""),
    ],
)
def test_split_url_parts(url: str, host: str, path: str, query: str) -> None:
    parts = split_url(url)
    assert parts is not None
    assert (parts.host, parts.path, parts.query) == (host, path, query)


@pytest.mark.parametrize(
    "url", ["", "/relative/path", "example.com/x", "https:///nohost", "about:blank"]
)
def test_split_url_refuses_urls_without_scheme_or_host(url: str) -> None:
    assert split_url(url) is None


def test_query_params_keeps_case_of_values_decodes_and_takes_the_first_non_empty() -> None:
    query = "UTM_Source=Facebook&utm_medium=&utm_medium=paid+social&utm_source=other&gclid=a%2Fb"
    assert query_params(query, UTMS) == {
        "utm_source": "Facebook",
        "utm_medium": "paid social",
        "gclid": "a/b",
    }


def test_query_params_ignores_parameters_that_merely_end_with_a_wanted_name() -> None:
    assert query_params("xutm_source=a&ref=1", UTMS) == {}


@given(st.dictionaries(st.sampled_from(sorted(UTMS)), st.text(min_size=1, max_size=20)))
def test_query_params_round_trips_urlencode(values: dict[str, str]) -> None:
    expected = {key: value.strip() for key, value in values.items() if value.strip()}
    assert query_params(urlencode(values), UTMS) == expected


@given(st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,10}){1,3}", fullmatch=True), st.text(max_size=20))
def test_split_url_agrees_with_urlsplit_on_the_host(host: str, path: str) -> None:
    url = f"https://{host}/{path.replace('#', '').replace('?', '')}"
    parts = split_url(url)
    assert parts is not None
    assert parts.host == urlsplit(url).hostname


def test_same_site_covers_subdomains_and_ignores_www() -> None:
    domains = frozenset({"www.example.com"})
    assert is_same_site("example.com", domains)
    assert is_same_site("shop.example.com", domains)
    assert not is_same_site("notexample.com", domains)
    assert not is_same_site("example.com.evil.test", domains)
    assert bare_host("www.example.com") == "example.com"
