"""The API v1 application, mounted at `/api/v1`: every router, the error envelope on every
answer (404 and 405 included), the OpenAPI 3.1 document at `/api/v1/openapi.json` and its
rendered reference at `/api/v1/docs`."""

from __future__ import annotations

from functools import partial
from typing import Any, Final

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from touchline import __version__
from touchline.api.examples import add_examples
from touchline.api.routes import (
    campaigns,
    contacts,
    conversions,
    customer_profiles,
    customers,
    keys,
    keywords,
    quality,
    reference,
    revenue,
    traffic,
    visitors,
)
from touchline.api.schemas import ERROR_RESPONSES
from touchline.web.errors import install_error_handlers

PREFIX: Final = "/api/v1"
ROUTERS: Final[tuple[APIRouter, ...]] = (
    keys.router,
    traffic.router,
    campaigns.router,
    conversions.router,
    revenue.router,
    quality.router,
    keywords.router,
    customers.router,
    customer_profiles.router,
    visitors.router,
    contacts.router,
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
    api.openapi = partial(openapi_document, api)  # type: ignore[method-assign]
    return api


def openapi_document(api: FastAPI) -> dict[str, Any]:
    """FastAPI's document without the 422 it adds to every operation with parameters: a
    validation failure answers 400 `invalid_parameter` (documented) and never 422."""
    if api.openapi_schema is None:
        document = get_openapi(
            title=api.title, version=api.version, openapi_version=api.openapi_version,
            description=api.description, routes=api.routes, servers=api.servers,
        )  # fmt: skip
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        add_examples(document)
        schemas = document.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        api.openapi_schema = document
    return api.openapi_schema
