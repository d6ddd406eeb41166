"""The tracker's files: `/atribu-tracker.js` (the snippet's script), `/tracker.mjs` (the ES
module) and `/tracker.tgz` (the npm package `@atribu/tracker`), each also at a versioned URL
that never changes, the two scripts with their source maps.

The snippet's URL cannot carry a version, so it is cached for an hour and revalidated by its
ETag; the versioned URLs (`/atribu-tracker.<version>.js`, the source maps) are immutable.
Every answer allows any origin: a module imported from a customer's page is a CORS request.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from starlette.responses import Response

from touchline.errors import NotFound
from touchline.web.tracker_bundle import Asset, Bundle, current_bundle

router = APIRouter(include_in_schema=False)

REVALIDATED: Final = "public, max-age=3600"
IMMUTABLE: Final = "public, max-age=31536000, immutable"
JAVASCRIPT: Final = "text/javascript; charset=utf-8"
GZIP: Final = "application/gzip"


def _headers(bundle: Bundle, cache_control: str) -> dict[str, str]:
    return {
        "Cache-Control": cache_control,
        "ETag": f'"{bundle.version}"',
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
        "X-Tracker-Version": bundle.version,
    }


def _unchanged(request: Request, bundle: Bundle) -> bool:
    return request.headers.get("if-none-match", "").strip() in (f'"{bundle.version}"', "*")


def _check_version(version: str, bundle: Bundle) -> None:
    if version != bundle.version:
        raise NotFound(f"No tracker version {version}; this server has {bundle.version}")


def _current(asset: Asset, request: Request, bundle: Bundle) -> Response:
    headers = _headers(bundle, REVALIDATED) | {"SourceMap": asset.map_filename}
    if _unchanged(request, bundle):
        return Response(status_code=304, headers=headers)
    return Response(asset.text, media_type=JAVASCRIPT, headers=headers)


def _versioned(asset: Asset, version: str, bundle: Bundle, *, source_map: bool) -> Response:
    _check_version(version, bundle)
    if source_map:
        return Response(
            asset.source_map, media_type="application/json", headers=_headers(bundle, IMMUTABLE)
        )
    headers = _headers(bundle, IMMUTABLE) | {"SourceMap": asset.map_filename}
    return Response(asset.text, media_type=JAVASCRIPT, headers=headers)


@router.get("/atribu-tracker.js")
async def script(request: Request) -> Response:
    bundle = current_bundle()
    return _current(bundle.script, request, bundle)


@router.get("/atribu-tracker.{version}.js")
async def versioned_script(version: str) -> Response:
    bundle = current_bundle()
    return _versioned(bundle.script, version, bundle, source_map=False)


@router.get("/atribu-tracker.{version}.js.map")
async def script_map(version: str) -> Response:
    bundle = current_bundle()
    return _versioned(bundle.script, version, bundle, source_map=True)


@router.get("/tracker.mjs")
async def module(request: Request) -> Response:
    bundle = current_bundle()
    return _current(bundle.module, request, bundle)


@router.get("/tracker.{version}.mjs")
async def versioned_module(version: str) -> Response:
    bundle = current_bundle()
    return _versioned(bundle.module, version, bundle, source_map=False)


@router.get("/tracker.{version}.mjs.map")
async def module_map(version: str) -> Response:
    bundle = current_bundle()
    return _versioned(bundle.module, version, bundle, source_map=True)


@router.get("/tracker.tgz")
async def package(request: Request) -> Response:
    bundle = current_bundle()
    headers = _headers(bundle, REVALIDATED)
    if _unchanged(request, bundle):
        return Response(status_code=304, headers=headers)
    return Response(bundle.package.tarball, media_type=GZIP, headers=headers)


@router.get("/tracker.{version}.tgz")
async def versioned_package(version: str) -> Response:
    bundle = current_bundle()
    _check_version(version, bundle)
    return Response(bundle.package.tarball, media_type=GZIP, headers=_headers(bundle, IMMUTABLE))
