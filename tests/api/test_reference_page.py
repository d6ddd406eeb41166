"""The rendered API reference, `/api/v1/docs`: an HTML page with no outside URL that renders
`openapi.json` with the vendored Redoc bundle, which is served from the app and is the file
its VENDOR.md pins (version, checksum, licence)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tests.api.conftest import Api

from touchline.api.routes.reference import BUNDLE

VENDOR_NOTE = BUNDLE.parents[1] / "VENDOR.md"
MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def test_the_page_renders_the_document_with_the_local_bundle_and_nothing_remote(api: Api) -> None:
    page = api.served.client.get("/api/v1/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="docs/redoc.standalone.js">' in page.text
    assert 'Redoc.init("openapi.json"' in page.text
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "a remote resource"
    assert page.headers["x-request-id"].startswith("req_")


def test_the_bundle_is_served_and_is_the_pinned_file_with_its_licences(api: Api) -> None:
    bundle = api.served.client.get("/api/v1/docs/redoc.standalone.js")
    assert bundle.status_code == 200
    assert bundle.headers["content-type"].startswith("text/javascript")
    digest = hashlib.sha256(bundle.content).hexdigest()
    assert digest == hashlib.sha256(BUNDLE.read_bytes()).hexdigest()
    assert f"`{digest}`" in VENDOR_NOTE.read_text(encoding="utf-8")
    assert f"REDOC_SHA256 := {digest}" in MAKEFILE.read_text(encoding="utf-8")
    assert "MIT" in (BUNDLE.parent / "LICENSE").read_text(encoding="utf-8")
    assert (BUNDLE.parent / "THIRD-PARTY-LICENSES.txt").is_file()


def test_the_reference_is_not_an_operation_of_the_document(api: Api) -> None:
    document = api.served.client.get("/api/v1/openapi.json").json()
    assert not any(path.startswith("/docs") for path in document["paths"])
