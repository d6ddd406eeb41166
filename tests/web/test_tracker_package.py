"""The npm package (`/tracker.tgz`, `@atribu/tracker`): npm's layout and package.json, the same
bytes from the same sources, a CommonJS build with the module's exports, declarations for
every export and the spec's six types, and its URLs' caching headers."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.serving import Served

from touchline.web.tracker_bundle import (
    SOURCE_DIR,
    TARBALL_MTIME,
    TrackerSourceError,
    build_bundle,
    current_bundle,
    package_version,
)

Serve = Callable[..., Served]
SPEC_TYPES = (
    "AtribuConfig",
    "AtribuClient",
    "TrackOptions",
    "IdentifyInput",
    "ConsentPayload",
    "TrackingEvent",
)
# Semantic Versioning 2.0.0's own regular expression (semver.org), as npm validates.
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


def module_exports(text: str) -> set[str]:
    """The names an ES module exports, read the simple way its sources are written."""
    names = set(re.findall(r"^export (?:async )?(?:function|const|let|class) (\w+)", text, re.M))
    for listed in re.findall(r"^export \{([^}]*)\};", text, re.M):
        names.update(name.strip() for name in listed.split(",") if name.strip())
    return names


def declared_exports(declarations: str) -> set[str]:
    return set(re.findall(r"^export declare (?:function|const) (\w+)", declarations, re.M))


def declared_types(declarations: str) -> set[str]:
    return set(re.findall(r"^export (?:interface|type) (\w+)", declarations, re.M))


def members(tarball: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        return archive.getmembers()


def test_the_package_is_npms_layout_with_the_module_its_commonjs_twin_and_types() -> None:
    bundle = current_bundle()
    package = bundle.package
    entries = members(package.tarball)
    names = [entry.name for entry in entries]
    assert names == sorted(names)
    assert names == [
        "package/LICENSE",
        "package/README.md",
        "package/index.cjs",
        "package/index.d.cts",
        "package/index.d.ts",
        "package/index.mjs",
        "package/package.json",
        f"package/tracker.{bundle.version}.cjs.map",
        f"package/tracker.{bundle.version}.mjs.map",
    ]
    for entry in entries:
        assert entry.isfile() and entry.mode == 0o644 and entry.mtime == TARBALL_MTIME
        assert (entry.uid, entry.gid, entry.uname, entry.gname) == (0, 0, "", "")
    with tarfile.open(fileobj=io.BytesIO(package.tarball), mode="r:gz") as archive:
        for name, content in package.files:
            extracted = archive.extractfile(f"package/{name}")
            assert extracted is not None and extracted.read() == content, name
    # The module is the file /tracker.mjs serves, byte for byte, its map beside it.
    assert package.file("index.mjs") == bundle.module.text.encode()
    assert package.file(bundle.module.map_filename) == bundle.module.source_map.encode()
    assert package.file("index.cjs") == bundle.commonjs.text.encode()
    assert package.file("index.d.ts") == (SOURCE_DIR / "index.d.ts").read_bytes()
    assert package.file("index.d.cts") == package.file("index.d.ts")
    # AGPL: the license travels with the code, as `npm pack` would ship it.
    assert package.file("LICENSE") == (Path(__file__).parents[2] / "LICENSE").read_bytes()
    assert (
        package.filename == "tracker.tgz" and package.versioned == f"tracker.{bundle.version}.tgz"
    )


def test_package_json_names_the_spec_package_and_both_builds() -> None:
    bundle = current_bundle()
    manifest = json.loads(bundle.package.file("package.json"))
    assert manifest["name"] == "@atribu/tracker"
    assert manifest["version"] == f"0.0.0-tracker-{bundle.version}"
    assert SEMVER.match(manifest["version"])
    assert manifest["license"] == "AGPL-3.0-or-later"
    assert manifest["type"] == "module" and manifest["sideEffects"] is False
    assert (manifest["main"], manifest["module"], manifest["types"]) == (
        "./index.cjs",
        "./index.mjs",
        "./index.d.ts",
    )
    assert manifest["exports"]["."] == {
        "import": {"types": "./index.d.ts", "default": "./index.mjs"},
        "require": {"types": "./index.d.cts", "default": "./index.cjs"},
    }
    shipped = {name for name, _ in bundle.package.files}
    targets = [manifest["main"], manifest["module"], manifest["types"]]
    for condition in manifest["exports"]["."].values():
        targets += condition.values()
    assert {target.removeprefix("./") for target in targets} <= shipped


@pytest.mark.parametrize("version", ["000000000000", "0123456789ab", "abcdefabcdef"])
def test_the_package_version_is_valid_semver_whatever_the_hex_digits(version: str) -> None:
    assert SEMVER.match(package_version(version))


def test_the_tarball_is_the_same_bytes_from_the_same_sources(tmp_path: Path) -> None:
    first, second = build_bundle().package.tarball, build_bundle().package.tarball
    assert first == second
    assert first[:2] == b"\x1f\x8b" and first[4:8] == b"\0\0\0\0"  # gzip, with no date
    assert gzip.decompress(first)  # and whole
    # A changed declaration is a changed source: a new version, so the immutable URL of the
    # old one never answers other bytes.
    copied = tmp_path / "tracker"
    shutil.copytree(SOURCE_DIR, copied)
    declarations = copied / "index.d.ts"
    declarations.write_text(declarations.read_text() + "export type Extra = string;\n")
    changed = build_bundle(copied)
    assert changed.version != build_bundle().version
    assert changed.package.tarball != first


def test_the_commonjs_build_exports_what_the_module_exports() -> None:
    bundle = current_bundle()
    source = module_exports((SOURCE_DIR / "module.js").read_text())
    assert source >= {"init", "track", "observeImpression", "VERSION"}
    assert module_exports(bundle.module.text) == source
    cjs = bundle.commonjs.text
    assert cjs.startswith('"use strict";\n')
    assert not re.search(r"^export ", cjs, re.M) and not re.search(r"^import ", cjs, re.M)
    [assigned] = re.findall(r"^module\.exports = \{ ([^}]*) \};$", cjs, re.M)
    assert {name.strip() for name in assigned.split(",")} == source
    assert cjs.rstrip().endswith(f"//# sourceMappingURL=tracker.{bundle.version}.cjs.map")
    # Same code: the module's lines, less the exports, in the same order.
    module_lines = [
        line.removeprefix("export ")
        for line in bundle.module.text.splitlines()[:-1]
        if not re.match(r"export \{", line)
    ]
    assert cjs.splitlines()[1:-2] == module_lines


def test_the_declarations_cover_every_export_and_the_spec_types() -> None:
    declarations = (SOURCE_DIR / "index.d.ts").read_text()
    assert declared_exports(declarations) == module_exports((SOURCE_DIR / "module.js").read_text())
    assert set(SPEC_TYPES) <= declared_types(declarations)
    # The spec's option names (CHECKLIST §2.2), each with its type.
    config = re.search(r"export interface AtribuConfig \{(.*?)\n\}", declarations, re.S)
    assert config is not None
    found = re.findall(r"^  (\w+)\??:(.*)$", config.group(1), re.M)
    options = {name: kind.strip().removesuffix(";") for name, kind in found}
    assert options["trackingKey"] == "string"
    assert options["heartbeatIntervalSeconds"] == "number | false"
    assert options["ignoredPages"] == "string[]"
    for name in ("interceptMetaFbq", "metaBridgePageview", "enableClickQuality",
                 "enableWebVitals", "enableCtaTracking", "enableVideoTracking"):  # fmt: skip
        assert options[name] == "boolean", name
    assert {"apiHost", "trackingEndpoint", "sessionTimeoutMinutes", "sessionMode",
            "customProperties", "transformRequest"} <= options.keys()  # fmt: skip


def test_the_build_refuses_an_export_it_cannot_carry_to_commonjs(tmp_path: Path) -> None:
    copied = tmp_path / "tracker"
    shutil.copytree(SOURCE_DIR, copied)
    entry = copied / "module.js"
    entry.write_text(entry.read_text() + "export default init;\n")
    with pytest.raises(TrackerSourceError, match="unsupported export"):
        build_bundle(copied)


def test_the_package_url_revalidates_and_its_versioned_url_is_immutable(serve: Serve) -> None:
    served, bundle = serve(), current_bundle()
    answer = served.client.get("/tracker.tgz")
    assert answer.status_code == 200 and answer.content == bundle.package.tarball
    assert answer.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in answer.headers
    assert answer.headers["cache-control"] == "public, max-age=3600"
    assert answer.headers["etag"] == f'"{bundle.version}"'
    assert answer.headers["access-control-allow-origin"] == "*"
    again = served.client.get("/tracker.tgz", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    pinned = served.client.get(f"/tracker.{bundle.version}.tgz")
    assert pinned.status_code == 200 and pinned.content == bundle.package.tarball
    assert pinned.headers["content-type"] == "application/gzip"
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = served.client.get("/tracker.000000000000.tgz")
    assert stale.status_code == 404 and stale.json()["error"]["code"] == "not_found"
