"""What a successful call gives back: the body's `data`, `meta` and `pagination`, the request
id, and the key's rate-limit state after the call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RateLimit:
    """`X-RateLimit-Limit` and `X-RateLimit-Remaining` (units per minute; heavy calls cost 3)
    and, on a 429, `Retry-After` in seconds. None where the answer did not say."""

    limit: int | None
    remaining: int | None
    retry_after: int | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit:
        return cls(
            _number(headers.get("x-ratelimit-limit")),
            _number(headers.get("x-ratelimit-remaining")),
            _number(headers.get("retry-after")),
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """One successful answer. `body` is the whole JSON document (the AttributionHub
    `/contacts` answer has no `data`: read `body["contacts"]`)."""

    body: Any
    status: int
    request_id: str
    rate_limit: RateLimit

    @property
    def data(self) -> Any:
        return self._field("data")

    @property
    def meta(self) -> dict[str, Any]:
        return self._field("meta") or {}

    @property
    def pagination(self) -> dict[str, Any]:
        return self._field("pagination") or {}

    def _field(self, name: str) -> Any:
        return self.body.get(name) if isinstance(self.body, dict) else None


def _number(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
