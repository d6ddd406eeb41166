"""The API reference page, `GET /api/v1/docs`: the OpenAPI document rendered by a vendored
Redoc bundle served from here, so it works with no network (web/static/vendor/VENDOR.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(include_in_schema=False)
REDOC: Final = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor" / "redoc"
BUNDLE: Final = REDOC / "redoc.standalone.js"
# Relative URLs: the page works wherever the API is mounted or proxied.
PAGE: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Touchline API reference</title>
<style>body { margin: 0; }</style>
</head>
<body>
<noscript>This page needs JavaScript. The API is described by
<a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</noscript>
<div id="reference"></div>
<script src="docs/redoc.standalone.js"></script>
<script>
Redoc.init("openapi.json", {
  hideDownloadButton: false,
  expandResponses: "200",
  pathInMiddlePanel: true,
  theme: {typography: {fontFamily: "system-ui, sans-serif",
                       headings: {fontFamily: "system-ui, sans-serif"}}}
}, document.getElementById("reference"));
</script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
async def reference() -> HTMLResponse:
    """The rendered reference of every operation."""
    return HTMLResponse(PAGE)


@router.get("/docs/redoc.standalone.js")
async def renderer() -> FileResponse:
    return FileResponse(
        BUNDLE,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
