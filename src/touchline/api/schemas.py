"""The response shapes every endpoint shares: the success envelope with its `meta`, and the
error envelope every operation documents (OpenAPI)."""

from __future__ import annotations

from datetime import date
from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProfileMeta(ApiModel):
    profile_id: str


class PeriodMeta(ProfileMeta):
    date_from: date
    date_to: date


class Envelope(ApiModel, Generic[T]):
    """`{"data": …, "meta": {"date_from", "date_to", "profile_id"}}`."""

    data: T
    meta: PeriodMeta


class Page(ApiModel):
    """Cursor pagination: pass the cursor's two halves (split on `|`) as `cursor_time` and
    `cursor_id` to get the next page."""

    has_next: bool
    cursor: str | None = Field(examples=["2026-03-22T14:30:00Z|uuid"])


class PageEnvelope(ApiModel, Generic[T]):
    """`{"data": [...], "pagination": {"has_next", "cursor"}, "meta": {...}}`."""

    data: list[T]
    pagination: Page
    meta: PeriodMeta


class ProfileEnvelope(ApiModel, Generic[T]):
    """`{"data": …, "meta": {"profile_id"}}` (realtime, journeys, key management)."""

    data: T
    meta: ProfileMeta


class ErrorBody(ApiModel):
    code: str = Field(examples=["unauthorized"])
    message: str = Field(examples=["Invalid or expired API key"])
    status: int = Field(examples=[401])
    request_id: str = Field(examples=["req_a1b2c3d4e5f60718"])


class ErrorEnvelope(ApiModel):
    error: ErrorBody


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorEnvelope, "description": description}


# Documented on every operation (the router adds them).
ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    400: _error("invalid_parameter or invalid_date_range"),
    401: _error("unauthorized: missing, invalid, revoked or expired key"),
    403: _error("insufficient_scope: the key lacks the endpoint's scope"),
    404: _error("not_found"),
    429: _error("rate_limit_exceeded (see Retry-After)"),
    500: _error("internal_error (quote the request_id)"),
    503: _error("service_unavailable: the server is starting or stopping, or the store is busy"),
}
# The writes that can collide with another record (customer profiles).
CONFLICT_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    409: _error("duplicate_external_id, or conflict (another customer's email or phone)"),
}
