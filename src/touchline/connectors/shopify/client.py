"""The Shopify Admin REST client: orders updated since a time, oldest first, paged by the
`Link` header's `page_info` cursor (Shopify's cursor paging; a page_info request takes only
`limit`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import httpx
from pydantic import TypeAdapter

from touchline.connectors.base import Connection, HttpOptions, ProviderError
from touchline.connectors.http import ApiClient
from touchline.connectors.shopify.payloads import Order

API_VERSION: Final = "2024-10"
ORDERS_PATH: Final = f"/admin/api/{API_VERSION}/orders.json"
PAGE_SIZE: Final = 250  # Shopify's maximum
TOKEN_HEADER: Final = "X-Shopify-Access-Token"
ORDERS: Final = TypeAdapter(list[Order])


def shop_domain(shop: str) -> str:
    """`my-store`, `my-store.myshopify.com` or its URL → `my-store.myshopify.com`."""
    host = shop.strip().lower().removeprefix("https://").removeprefix("http://")
    host = host.split("/", 1)[0]
    return host if "." in host else f"{host}.myshopify.com"


class AdminClient:
    """One shop's Admin API; `connection.config["api_base"]` replaces the shop's URL."""

    def __init__(self, connection: Connection, http: HttpOptions) -> None:
        base = (
            connection.config.get("api_base") or f"https://{shop_domain(connection.config['shop'])}"
        )
        self.api = ApiClient(
            base, headers={TOKEN_HEADER: connection.secret("access_token")}, http=http
        )

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.api.close()

    def orders(self, *, updated_at_min: str = "") -> Iterator[list[Order]]:
        """Pages of orders (every status) updated at or after `updated_at_min` (ISO 8601;
        '' for all), oldest update first."""
        params: dict[str, Any] = {"status": "any", "limit": PAGE_SIZE, "order": "updated_at asc"}
        if updated_at_min:
            params["updated_at_min"] = updated_at_min
        while True:
            response = self.api.request("GET", ORDERS_PATH, params=params)
            yield _orders_in(response)
            page_info = next_page_info(response)
            if not page_info:
                return
            params = {"limit": PAGE_SIZE, "page_info": page_info}


def next_page_info(response: httpx.Response) -> str:
    """The `page_info` of the `rel="next"` link; '' on the last page."""
    url = response.links.get("next", {}).get("url", "")
    return httpx.URL(url).params.get("page_info", "") if url else ""


def _orders_in(response: httpx.Response) -> list[Order]:
    try:
        return ORDERS.validate_python(response.json()["orders"])
    except (ValueError, KeyError, TypeError) as error:  # ValidationError is a ValueError
        raise ProviderError(f"Shopify answered {ORDERS_PATH} unreadably: {error!r}"[:300]) from None
