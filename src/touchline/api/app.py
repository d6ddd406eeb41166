"""The API v1 application, mounted at `/api/v1`: every router, the error envelope on every
answer (404 and 405 included), the OpenAPI 3.1 document at `/api/v1/openapi.json` and its
rendered reference at `/api/v1/docs`."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, FastAPI

from touchline import __version__
from touchline.api.routes import keys, reference
from touchline.api.schemas import ERROR_RESPONSES
from touchline.web.errors import install_error_handlers

PREFIX: Final = "/api/v1"
ROUTERS: Final[tuple[APIRouter, ...]] = (
    keys.router,
    reference.router,
)
DESCRIPTION: Final = (
    "Touchline's REST API, compatible with Atribu's API v1: authenticate with a profile's "
    "API key (`Authorization: Bearer atb_live_…`). Every error is "
    '`{"error": {code, message, status, request_id}}`; every answer carries '
    "`X-Request-Id`, and authenticated ones `X-RateLimit-Limit` and `X-RateLimit-Remaining`."
)


def build_api() -> FastAPI:
    """The sub-application the root app mounts at PREFIX (its runtime is set by the root
    app's lifespan on `api.state.runtime`)."""
    api = FastAPI(
        title="Touchline API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        servers=[{"url": PREFIX}],
    )
    install_error_handlers(api)
    for router in ROUTERS:
        api.include_router(router, responses=ERROR_RESPONSES)
    return api
