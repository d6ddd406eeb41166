"""Stripe's REST API through our `ApiClient` (retries, health), never the SDK's HTTP client:
charges listed newest first with `created[gte]` and `starting_after` paging, refunds of a charge.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from touchline.connectors.base import Connection, HttpOptions, ProviderError
from touchline.connectors.http import ApiClient

DEFAULT_API_BASE: Final = "https://api.stripe.com"
PAGE_SIZE: Final = 100  # Stripe's maximum
CHARGE_EXPANSIONS: Final = ("data.customer", "data.refunds")  # email precedence, refund ids


@dataclass(frozen=True, slots=True)
class ChargePage:
    charges: list[dict[str, Any]]
    has_more: bool


class StripeClient:
    """One connection's API key against Stripe (or `config["api_base"]`)."""

    def __init__(self, connection: Connection, http: HttpOptions) -> None:
        key = connection.secret("api_key")
        base = connection.config.get("api_base") or DEFAULT_API_BASE
        self.api = ApiClient(base, headers={"Authorization": f"Bearer {key}"}, http=http)

    def __enter__(self) -> StripeClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.api.close()

    def charges(self, *, created_gte: int, starting_after: str = "") -> ChargePage:
        """One page of charges created at or after `created_gte` (epoch seconds), newest
        first, after the charge `starting_after`."""
        params: dict[str, Any] = {
            "limit": PAGE_SIZE,
            "created[gte]": created_gte,
            "expand[]": list(CHARGE_EXPANSIONS),
        }
        if starting_after:
            params["starting_after"] = starting_after
        body = _listing(self.api.get_json("/v1/charges", params), "/v1/charges")
        return ChargePage(body["data"], bool(body.get("has_more")))

    def refunds_of(self, charge_id: str) -> list[dict[str, Any]]:
        """Every refund of the charge (all pages)."""
        return list(self._all("/v1/refunds", {"charge": charge_id}))

    def _all(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        after = ""
        while True:
            query = {**params, "limit": PAGE_SIZE, **({"starting_after": after} if after else {})}
            body = _listing(self.api.get_json(path, query), path)
            yield from body["data"]
            if not body.get("has_more") or not body["data"]:
                return
            after = str(body["data"][-1]["id"])


def _listing(body: Any, path: str) -> dict[str, Any]:
    """A Stripe list object; anything else is a provider error (a partial or foreign answer)."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ProviderError(f"GET {path}: Stripe answered something that is not a list")
    if not all(isinstance(item, dict) and item.get("id") for item in body["data"]):
        raise ProviderError(f"GET {path}: a listed object has no id")
    return body
