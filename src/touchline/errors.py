"""The one error tree. Each error has a spec code and an HTTP status, and maps in one place
to the REST envelope, MCP `isError` results and CLI exit codes.

    TouchlineError (internal_error, 500)
     ├── InvalidPayload (invalid_payload, 400)       malformed collect body or event
     ├── InvalidParameter (invalid_parameter, 400)   bad query/CLI parameter
     ├── InvalidDateRange (invalid_date_range, 400)
     ├── Unauthorized (unauthorized, 401)            missing/unknown/expired key
     ├── InsufficientScope (insufficient_scope, 403)
     ├── NotFound (not_found, 404)
     ├── MethodNotAllowed (method_not_allowed, 405)
     ├── Conflict (conflict, 409)
     │    └── DuplicateExternalId (duplicate_external_id, 409)
     ├── PayloadTooLarge (payload_too_large, 413)    body or event count over a limit
     ├── RateLimitExceeded (rate_limit_exceeded, 429)
     └── Unavailable (service_unavailable, 503)
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar


class TouchlineError(Exception):
    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str = "Internal server error", **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidPayload(TouchlineError):
    code = "invalid_payload"
    status = 400
    exit_code = 2


class InvalidParameter(TouchlineError):
    code = "invalid_parameter"
    status = 400
    exit_code = 2


class InvalidDateRange(TouchlineError):
    code = "invalid_date_range"
    status = 400
    exit_code = 2


class Unauthorized(TouchlineError):
    code = "unauthorized"
    status = 401
    exit_code = 3


class InsufficientScope(TouchlineError):
    code = "insufficient_scope"
    status = 403
    exit_code = 3


class NotFound(TouchlineError):
    code = "not_found"
    status = 404
    exit_code = 4


class MethodNotAllowed(TouchlineError):
    code = "method_not_allowed"
    status = 405
    exit_code = 2


class Conflict(TouchlineError):
    code = "conflict"
    status = 409
    exit_code = 5


class DuplicateExternalId(Conflict):
    """Another customer profile already holds the externalId (the peers' DUPLICATE_EXTERNAL_ID)."""

    code = "duplicate_external_id"


class PayloadTooLarge(TouchlineError):
    code = "payload_too_large"
    status = 413
    exit_code = 2


class RateLimitExceeded(TouchlineError):
    code = "rate_limit_exceeded"
    status = 429
    exit_code = 6

    def __init__(
        self,
        message: str = "Too many requests",
        *,
        retry_after: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, retry_after=retry_after, headers=headers or {})
        self.retry_after = retry_after


class Unavailable(TouchlineError):
    code = "service_unavailable"
    status = 503
    exit_code = 7


def new_request_id() -> str:
    """`req_` + 16 hex characters, the shape the spec's examples show."""
    return "req_" + secrets.token_hex(8)


def envelope(error: TouchlineError, request_id: str) -> dict[str, Any]:
    """The spec's error envelope: {"error": {code, message, status, request_id}}."""
    return {
        "error": {
            "code": error.code,
            "message": error.message,
            "status": error.status,
            "request_id": request_id,
        }
    }
