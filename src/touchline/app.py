"""The ASGI application: `create_app(settings)` wires collect, health, webhooks, the tracker's
files and the runtime lifespan.

Every answer carries `X-Request-Id`, and every error, 404 and 500 included, is the spec's
envelope. The collect route is served on a fast path ahead of FastAPI's middleware stack.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
from touchline.ingest.collect import COLLECT_PATH, CollectEndpoint
from touchline.runtime import Runtime
from touchline.settings import Settings
from touchline.web import health, internal, tracker, webhooks

log = logging.getLogger("touchline.app")


class TouchlineApp(FastAPI):
    """FastAPI for everything else; `POST /api/tracking/collect` skips the middleware stack.

    The collect endpoint is the hot path (ARCHITECTURE §3, benchmark T1): it does its own
    request id, CORS and error envelope, so routing it through FastAPI's generic middleware
    layers would only cost time. Resources open in the lifespan, not in the constructor.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            title="Touchline",
            lifespan=self._lifespan,
            docs_url=None,
            redoc_url=None,
            openapi_url=None,
        )
        self.settings = settings
        self.collect = CollectEndpoint(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == COLLECT_PATH:
            scope["app"] = self
            await self.collect(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    @asynccontextmanager
    async def _lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.start(self.settings)
        self.state.runtime = runtime
        self.collect.bind(runtime)
        try:
            yield
        finally:
            self.collect.unbind()
            self.state.runtime = None
            await runtime.stop()


def create_app(settings: Settings) -> TouchlineApp:
    """The whole server for one Settings: collect, health, errors as envelopes."""
    app = TouchlineApp(settings)
    app.include_router(health.router)
    app.include_router(internal.router)
    app.include_router(webhooks.router)
    app.include_router(tracker.router)
    app.add_middleware(RequestIdMiddleware)
    app.add_exception_handler(TouchlineError, _touchline_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


class RequestIdMiddleware:
    """Gives each request an id (`request.state.request_id`, `X-Request-Id`) and turns an
    unexpected exception into a 500 envelope that names the request id and nothing else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            if not started:
                response = error_response(TouchlineError(), request_id)
                await response(scope, receive, send_with_id)


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
    headers = (
        {"Retry-After": str(error.details["retry_after"])}
        if "retry_after" in error.details
        else None
    )
    return Response(
        orjson.dumps(envelope(error, request_id)),
        status_code=error.status,
        media_type="application/json",
        headers=headers,
    )


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or new_request_id()


async def _touchline_error(request: Request, exc: Exception) -> Response:
    error = exc if isinstance(exc, TouchlineError) else TouchlineError()
    return error_response(error, _request_id(request))


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
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    message = "Invalid request"
    if isinstance(exc, RequestValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"{first.get('msg', 'invalid value')} at `{where}`"
    return error_response(InvalidParameter(message), _request_id(request))
