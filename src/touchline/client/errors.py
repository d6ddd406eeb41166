"""The errors the client raises: one class per API error code, each carrying the code, the HTTP
status, the message, the request id and the rate-limit state of the answer.

    ApiError
     ├── BadRequest (400: invalid_parameter) ── InvalidDateRange (invalid_date_range)
     ├── Unauthorized (401)   ├── InsufficientScope (403)   ├── NotFound (404)
     ├── Conflict (409)       ├── RateLimited (429, `retry_after`)
     └── ServerError (5xx: internal_error, unavailable)
"""

from __future__ import annotations

from typing import Any, Final

from touchline.client.answers import RateLimit


class ApiError(Exception):
    """An error answer of the API (its `{"error": {code, message, status, request_id}}`)."""

    def __init__(
        self, *, code: str, message: str, status: int, request_id: str, rate_limit: RateLimit
    ) -> None:
        super().__init__(f"{status} {code}: {message} (request {request_id or 'unknown'})")
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id
        self.rate_limit = rate_limit


class BadRequest(ApiError):
    pass


class InvalidDateRange(BadRequest):
    pass


class Unauthorized(ApiError):
    pass


class InsufficientScope(ApiError):
    pass


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


class RateLimited(ApiError):
    @property
    def retry_after(self) -> int | None:
        """Seconds until enough units free up (the `Retry-After` header)."""
        return self.rate_limit.retry_after


class ServerError(ApiError):
    pass


BY_CODE: Final[dict[str, type[ApiError]]] = {
    "invalid_parameter": BadRequest,
    "invalid_date_range": InvalidDateRange,
    "unauthorized": Unauthorized,
    "insufficient_scope": InsufficientScope,
    "not_found": NotFound,
    "rate_limit_exceeded": RateLimited,
}
BY_STATUS: Final[dict[int, type[ApiError]]] = {
    400: BadRequest, 401: Unauthorized, 403: InsufficientScope, 404: NotFound, 409: Conflict,
    429: RateLimited,
}  # fmt: skip


def error_for(status: int, body: Any, request_id: str, rate_limit: RateLimit) -> ApiError:
    """The typed error for an error answer (an unexpected body still gives one)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = str(error.get("code") or f"http_{status}")
    kind = BY_CODE.get(code) or BY_STATUS.get(status)
    if kind is None:
        kind = ServerError if status >= 500 else ApiError
    message = str(error.get("message") or "no error message")
    request_id = str(error.get("request_id") or request_id)
    return kind(
        code=code, message=message, status=status, request_id=request_id, rate_limit=rate_limit
    )
