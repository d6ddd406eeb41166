"""Page URL → host, path, UTM parameters (case preserved) and the click id, cached by URL."""

from __future__ import annotations

from functools import lru_cache
from typing import Final, NamedTuple

from touchline.domain.channels import CLICK_ID_PRECEDENCE
from touchline.domain.urls import query_params, split_url
from touchline.ingest.context import RequestContext
from touchline.ingest.enrich.step import DropReason, Row
from touchline.ingest.protocol import RawEvent

CACHE_SIZE: Final = 16384
UTM_PARAMS: Final = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
CLICK_ID_PARAMS: Final = tuple(click_id.value for click_id in CLICK_ID_PRECEDENCE)
WANTED: Final = frozenset(UTM_PARAMS + CLICK_ID_PARAMS)
WEB_SCHEMES: Final = frozenset({"http", "https"})


class Landing(NamedTuple):  # a NamedTuple for speed: one per distinct URL
    """What a page URL says."""

    host: str
    path: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str
    utm_term: str
    click_id_type: str
    click_id: str


NO_LANDING: Final = Landing("", "", "", "", "", "", "", "", "")


@lru_cache(maxsize=CACHE_SIZE)
def landing_of(url: str) -> Landing | None:
    """The parts of a page URL; None when it is not an absolute http(s) URL."""
    parts = split_url(url)
    if parts is None or parts.scheme not in WEB_SCHEMES:
        return None
    params = query_params(parts.query, WANTED)
    if not params:
        return Landing(parts.host, parts.path, "", "", "", "", "", "", "")
    get = params.get
    click_id_type = ""
    for name in CLICK_ID_PARAMS:
        if name in params:
            click_id_type = name
            break
    return Landing(
        parts.host,
        parts.path,
        get("utm_source", ""),
        get("utm_medium", ""),
        get("utm_campaign", ""),
        get("utm_content", ""),
        get("utm_term", ""),
        click_id_type,
        params[click_id_type] if click_id_type else "",
    )


def url_step(event: RawEvent, _ctx: RequestContext, row: Row) -> DropReason | None:
    landing = landing_of(event.url) if event.url else NO_LANDING
    if landing is None:
        return DropReason.INVALID_URL
    row["url"] = event.url
    (
        row["host"],
        row["path"],
        row["utm_source"],
        row["utm_medium"],
        row["utm_campaign"],
        row["utm_content"],
        row["utm_term"],
        row["click_id_type"],
        row["click_id"],
    ) = landing
    return None
