"""The tracker's build and files: deterministic, within the size budget, source maps exact to
the line, the build's source rules enforced, and the URLs' caching and CORS headers."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.serving import Served

from touchline.web.tracker_bundle import (
    SOURCE_DIR,
    TrackerSourceError,
    build_bundle,
    current_bundle,
    vlq,
)

Serve = Callable[..., Served]
MAX_GZIPPED_BYTES = 15 * 1024
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def decode_mappings(mappings: str) -> list[tuple[int, int, int] | None]:
    """Each generated line's (source, line, column), or None: the absolute positions."""
    lines: list[tuple[int, int, int] | None] = []
    state = [0, 0, 0]
    for segment in mappings.split(";"):
        if not segment:
            lines.append(None)
            continue
        values, shift, value = [], 0, 0
        for char in segment:
            digit = BASE64.index(char)
            value += (digit & 31) << shift
            shift += 5
            if not digit & 32:
                values.append(-(value >> 1) if value & 1 else value >> 1)
                shift = value = 0
        state = [state[0] + values[1], state[1] + values[2], state[2] + values[3]]
        lines.append((state[0], state[1], state[2]))
    return lines


def test_the_build_is_deterministic_and_versioned_by_its_sources() -> None:
    first, second = build_bundle(), build_bundle()
    assert first == second
    assert len(first.version) == 12 and first.script.text.count(first.version) >= 2
    assert first.script.versioned == f"atribu-tracker.{first.version}.js"
    assert first.module.text.rstrip().endswith(
        f"//# sourceMappingURL=tracker.{first.version}.mjs.map"
    )


@pytest.mark.parametrize("asset", ["script", "module"])
def test_minified_and_gzipped_the_tracker_stays_under_15_kb(asset: str) -> None:
    text = getattr(current_bundle(), asset).text
    size = len(gzip.compress(text.encode(), compresslevel=9))
    assert size <= MAX_GZIPPED_BYTES, f"{asset}: {size} bytes gzipped"


@pytest.mark.parametrize("asset", ["script", "module"])
def test_every_generated_line_maps_to_the_source_line_it_came_from(asset: str) -> None:
    built = getattr(current_bundle(), asset)
    source_map = json.loads(built.source_map)
    positions = decode_mappings(source_map["mappings"])
    lines = built.text.rstrip("\n").split("\n")
    assert len(positions) == len(lines)
    mapped = 0
    for line, position in zip(lines, positions, strict=True):
        if position is None:
            continue
        source, number, column = position
        original = source_map["sourcesContent"][source].split("\n")[number]
        original = original.replace("__TRACKER_VERSION__", current_bundle().version)
        # The line itself; in the script bundle, without its `export`.
        assert line in (original[column:], original[column:].removeprefix("export "))
        mapped += 1
    # Unmapped: the script's compile hint, IIFE open and close; both files' map comment.
    assert mapped == len(lines) - (4 if asset == "script" else 1)


def test_the_script_asks_v8_to_compile_it_all_while_streaming() -> None:
    bundle = current_bundle()
    assert bundle.script.text.startswith("//# allFunctionsCalledOnLoad\n(function () {")
    assert "allFunctionsCalledOnLoad" not in bundle.module.text


def test_vlq_encodes_the_source_map_numbers() -> None:
    assert [vlq(n) for n in (0, 1, -1, 15, 16, -17, 1000)] == [
        "A",
        "C",
        "D",
        "e",
        "gB",
        "jB",
        "w+B",
    ]


def broken_sources(tmp_path: Path, name: str, prepend: str, append: str) -> Path:
    copied = tmp_path / "tracker"
    shutil.copytree(SOURCE_DIR, copied)
    (copied / name).write_text(prepend + (copied / name).read_text() + append)
    return copied


@pytest.mark.parametrize(
    ("name", "prepend", "append", "problem"),
    [
        ("url.js", "", "export const track = 1;\n", "track is declared in"),
        ("bookings.js", 'import { nothing } from "./url.js";\n', "", "not exported by url.js"),
        ("events.js", "", "/* a block comment */\n", "use // comments"),
    ],
)
def test_the_build_refuses_sources_that_break_its_rules(
    tmp_path: Path, name: str, prepend: str, append: str, problem: str
) -> None:
    with pytest.raises(TrackerSourceError, match=problem):
        build_bundle(broken_sources(tmp_path, name, prepend, append))


def test_the_snippets_url_revalidates_and_the_versioned_urls_are_immutable(serve: Serve) -> None:
    served, bundle = serve(), current_bundle()
    script = served.client.get("/atribu-tracker.js")
    assert script.status_code == 200 and script.text == bundle.script.text
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "public, max-age=3600"
    assert script.headers["etag"] == f'"{bundle.version}"'
    assert script.headers["access-control-allow-origin"] == "*"
    assert script.headers["sourcemap"] == f"atribu-tracker.{bundle.version}.js.map"
    again = served.client.get(
        "/atribu-tracker.js", headers={"If-None-Match": script.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    for path, text in (
        (f"/atribu-tracker.{bundle.version}.js", bundle.script.text),
        (f"/atribu-tracker.{bundle.version}.js.map", bundle.script.source_map),
        ("/tracker.mjs", bundle.module.text),
        (f"/tracker.{bundle.version}.mjs", bundle.module.text),
        (f"/tracker.{bundle.version}.mjs.map", bundle.module.source_map),
    ):
        answer = served.client.get(path)
        assert answer.status_code == 200 and answer.text == text, path
        assert answer.headers["access-control-allow-origin"] == "*"
        if bundle.version in path:
            assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = served.client.get("/atribu-tracker.000000000000.js")
    assert stale.status_code == 404 and stale.json()["error"]["code"] == "not_found"
