"""The Search Console API client: `searchAnalytics/query` for one property (a URL-prefix
property or `sc-domain:…`), a page of up to 25,000 rows at a time by `startRow`."""

from __future__ import annotations

from datetime import date
from typing import Any, Final
from urllib.parse import quote

from touchline.connectors import google_api
from touchline.connectors.base import Connection, HttpOptions, ProviderError
from touchline.connectors.http import ApiClient

SEARCH_HOST: Final = "https://www.googleapis.com"
ROW_LIMIT: Final = 25_000  # the API's largest page
DIMENSIONS: Final = ("date", "query", "page", "country", "device")
Row = dict[str, Any]


class SearchConsoleClient:
    def __init__(self, connection: Connection, http: HttpOptions) -> None:
        self.site = connection.config.get("site_url", "").strip()
        if not self.site:
            raise ProviderError("the Search Console connection has no --site-url")
        token = google_api.access_token(connection, http)
        self._api = ApiClient(
            google_api.host(connection, SEARCH_HOST),
            headers={"Authorization": f"Bearer {token}"}, http=http,
            classify=google_api.classify,
        )  # fmt: skip

    def __enter__(self) -> SearchConsoleClient:
        return self

    def __exit__(self, *_: object) -> None:
        self._api.close()

    def query(self, first: date, last: date, *, start_row: int, row_limit: int) -> list[Row]:
        """Rows for days `first`..`last` by DIMENSIONS, from `start_row` on (final data
        only: Search Console revises the last two or three days until then)."""
        path = f"/webmasters/v3/sites/{quote(self.site, safe='')}/searchAnalytics/query"
        body = {
            "startDate": first.isoformat(), "endDate": last.isoformat(),
            "dimensions": list(DIMENSIONS), "type": "web", "dataState": "final",
            "rowLimit": row_limit, "startRow": start_row,
        }  # fmt: skip
        answer = self._api.post_json(path, body)
        rows = answer.get("rows") if isinstance(answer, dict) else None
        return [row for row in rows or () if isinstance(row, dict)]
