"""The ASGI application: `create_app(settings)` wires collect, health, webhooks, the tracker's
files and the runtime lifespan.

Every answer carries `X-Request-Id`, and every error, 404 and 500 included, is the spec's
envelope. The collect route is served on a fast path ahead of FastAPI's middleware stack.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from touchline.api.app import PREFIX as API_PREFIX
from touchline.api.app import build_api
from touchline.errors import (
    TouchlineError,
    new_request_id,
)
from touchline.ingest.collect import COLLECT_PATH, CollectEndpoint
from touchline.runtime import Runtime
from touchline.settings import Settings
from touchline.web import health, internal, tracker, webhooks
from touchline.web.errors import error_response, install_error_handlers

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
        self.api = build_api()

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
        self.api.state.runtime = runtime
        self.collect.bind(runtime)
        try:
            yield
        finally:
            self.collect.unbind()
            self.state.runtime = None
            self.api.state.runtime = None
            await runtime.stop()


def create_app(settings: Settings) -> TouchlineApp:
    """The whole server for one Settings: collect, health, errors as envelopes."""
    app = TouchlineApp(settings)
    app.include_router(health.router)
    app.include_router(internal.router)
    app.include_router(webhooks.router)
    app.include_router(tracker.router)
    app.mount(API_PREFIX, app.api)
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)
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
