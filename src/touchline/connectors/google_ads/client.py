"""The Google Ads API client: GAQL through `googleAds:searchStream` (REST), answered as a JSON
array of batches of rows with int64 values as strings; the developer token, an OAuth bearer
and, for accounts reached through a manager (MCC), its `login-customer-id`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from touchline.connectors import google_api
from touchline.connectors.base import Connection, HttpOptions, ProviderError
from touchline.connectors.http import ApiClient

ADS_HOST: Final = "https://googleads.googleapis.com"
VERSION: Final = "v18"
CUSTOMER_QUERY: Final = (
    "SELECT customer.id, customer.currency_code, customer.time_zone FROM customer"
)
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Customer:
    customer_id: str  # digits, no dashes
    currency: str
    time_zone: str = "UTC"

    def today(self, now: datetime) -> date:
        """The account's own day (Google cuts report days in the account's time zone)."""
        try:
            return now.astimezone(ZoneInfo(self.time_zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            return now.date()


def digits(customer_id: str) -> str:
    """ "123-456-7890" → "1234567890"; '' stays ''."""
    found = customer_id.replace("-", "").strip()
    if found and not found.isdigit():
        raise ProviderError(f"a Google Ads customer id is ten digits, not {customer_id!r}")
    return found


class GoogleAdsClient:
    def __init__(self, connection: Connection, http: HttpOptions) -> None:
        self.customer_id = digits(connection.config.get("customer_id", ""))
        if not self.customer_id:
            raise ProviderError("the Google Ads connection has no --customer-id")
        headers = {
            "Authorization": f"Bearer {google_api.access_token(connection, http)}",
            "developer-token": connection.secret("developer_token"),
        }
        manager = digits(connection.config.get("login_customer_id", ""))
        if manager:
            headers["login-customer-id"] = manager
        base = f"{google_api.host(connection, ADS_HOST)}/{VERSION}"
        self._api = ApiClient(base, headers=headers, http=http, classify=google_api.classify)

    def __enter__(self) -> GoogleAdsClient:
        return self

    def __exit__(self, *_: object) -> None:
        self._api.close()

    def search_stream(self, query: str) -> list[list[Row]]:
        """The rows of each batch of the stream, in order."""
        path = f"/customers/{self.customer_id}/googleAds:searchStream"
        body = self._api.post_json(path, {"query": query})
        if not isinstance(body, list):
            raise ProviderError("searchStream did not answer with a list of batches")
        return [_batch(item) for item in body if isinstance(item, dict)]

    def customer(self) -> Customer:
        rows = [row for batch in self.search_stream(CUSTOMER_QUERY) for row in batch]
        found = rows[0].get("customer", {}) if rows else {}
        currency = str(found.get("currencyCode") or "").upper()
        if len(currency) != 3:
            raise ProviderError(f"Google Ads gave no currency for customer {self.customer_id}")
        return Customer(self.customer_id, currency, str(found.get("timeZone") or "UTC"))


def _batch(item: Row) -> list[Row]:
    """A batch's rows; a stream that failed midway ends with an error object instead."""
    error = item.get("error")
    if isinstance(error, dict):
        code = int(error.get("code") or 500)
        raise google_api.read_error(error, status_code=code) or ProviderError(
            f"searchStream failed midway: {error.get('message') or error.get('status')}"
        )
    return [row for row in item.get("results") or () if isinstance(row, dict)]
