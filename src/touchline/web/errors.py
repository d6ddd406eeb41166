"""Errors as the spec's envelope for every route: Touchline's own errors, Starlette's HTTP
errors (404, 405, 413…), validation errors, unexpected ones (500); API responses keep their
rate-limit headers."""

from __future__ import annotations

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from touchline.errors import (
    InvalidParameter,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimitExceeded,
    TouchlineError,
    Unauthorized,
    Unavailable,
    envelope,
    new_request_id,
)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TouchlineError, _touchline_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # Anything else (a response that fails its own model included) reaches Starlette's
    # ServerErrorMiddleware, which answers through this handler and re-raises for the log.
    app.add_exception_handler(Exception, _touchline_error)


# Starlette's own HTTP errors (routing, body limits) in the spec's words.
HTTP_ERRORS: dict[int, tuple[type[TouchlineError], str]] = {
    401: (Unauthorized, "Unauthorized"),
    404: (NotFound, "Not found"),
    405: (MethodNotAllowed, "Method not allowed"),
    413: (PayloadTooLarge, "Request body too large"),
    429: (RateLimitExceeded, "Too many requests"),
    503: (Unavailable, "Service unavailable"),
}


def error_response(error: TouchlineError, request_id: str) -> Response:
    """The envelope, with the headers the error carries (Retry-After, rate-limit state)."""
    headers: dict[str, str] = dict(error.details.get("headers") or {})
    if "retry_after" in error.details:
        headers["Retry-After"] = str(error.details["retry_after"])
    return Response(
        orjson.dumps(envelope(error, request_id)),
        status_code=error.status,
        media_type="application/json",
        headers=headers or None,
    )


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or new_request_id()


def _with_rate_limit(request: Request, response: Response) -> Response:
    """An API error after the key was counted still says how many units are left."""
    headers = getattr(request.state, "rate_limit_headers", None)
    if isinstance(headers, dict):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
    return response


async def _touchline_error(request: Request, exc: Exception) -> Response:
    error = exc if isinstance(exc, TouchlineError) else TouchlineError()
    return _with_rate_limit(request, error_response(error, _request_id(request)))


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
    known = HTTP_ERRORS.get(status)
    if known is not None:
        error = known[0](known[1])
    elif 400 <= status < 500:
        error = InvalidParameter(str(getattr(exc, "detail", "")) or "Bad request")
    else:
        error = TouchlineError()
    response = error_response(error, _request_id(request))
    if isinstance(exc, StarletteHTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return _with_rate_limit(request, response)


async def _validation_error(request: Request, exc: Exception) -> Response:
    message = "Invalid request"
    if isinstance(exc, RequestValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"{first.get('msg', 'invalid value')} at `{where}`"
    return _with_rate_limit(
        request, error_response(InvalidParameter(message), _request_id(request))
    )
