"""MercadoPago's REST API through our `ApiClient`: one payment by id, and the payment search
with offset paging (`/v1/payments/search`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import httpx

from touchline.connectors.base import Connection, HttpOptions, ProviderError
from touchline.connectors.http import ApiClient, error_detail

DEFAULT_API_BASE: Final = "https://api.mercadopago.com"
PAGE_SIZE: Final = 50


class PaymentMissing(ProviderError):
    """The notified payment does not exist for this account (MercadoPago's "simulate" button
    sends a made-up id): acknowledged, nothing stored."""


@dataclass(frozen=True, slots=True)
class SearchPage:
    payments: list[dict[str, Any]]
    total: int


class MercadoPagoClient:
    """One connection's access token against MercadoPago (or `config["api_base"]`)."""

    def __init__(self, connection: Connection, http: HttpOptions) -> None:
        token = connection.secret("access_token")
        base = connection.config.get("api_base") or DEFAULT_API_BASE
        self.api = ApiClient(
            base, headers={"Authorization": f"Bearer {token}"}, http=http, classify=_classify
        )

    def __enter__(self) -> MercadoPagoClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.api.close()

    def payment(self, payment_id: str) -> dict[str, Any]:
        body = self.api.get_json(f"/v1/payments/{payment_id}")
        if not isinstance(body, dict) or body.get("id") is None:
            raise ProviderError(f"GET /v1/payments/{payment_id}: not a payment")
        return body

    def search(self, *, updated_from: datetime, offset: int) -> SearchPage:
        """Payments last updated at or after `updated_from`, oldest update first."""
        params = {
            "sort": "date_last_updated", "criteria": "asc", "range": "date_last_updated",
            "begin_date": updated_from.isoformat(timespec="milliseconds"), "end_date": "NOW",
            "offset": offset, "limit": PAGE_SIZE,
        }  # fmt: skip
        body = self.api.get_json("/v1/payments/search", params)
        results = body.get("results") if isinstance(body, dict) else None
        paging = body.get("paging") if isinstance(body, dict) else None
        if not isinstance(results, list) or not isinstance(paging, dict):
            raise ProviderError("GET /v1/payments/search: no results and paging in the answer")
        return SearchPage(results, int(paging.get("total") or 0))


def _classify(response: httpx.Response) -> ProviderError | None:
    """404 is a missing payment (not retried, acknowledged); the rest: the generic rules."""
    if response.status_code == 404:
        return PaymentMissing(f"MercadoPago: {error_detail(response)}")
    return None
