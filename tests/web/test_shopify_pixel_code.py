"""The Shopify pixel's two forms: the custom-pixel code (settings line, then the pixel, valid
JavaScript Shopify can run as is) and the app extension's files (Shopify's extension TOML with
the settings the pixel reads, the module `register` hands the standard API to)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from touchline.web.shopify_pixel import (
    EXTENSION_DIR,
    custom_pixel_code,
    pixel_extension_files,
    pixel_settings,
)

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed (make test does)")


def test_the_custom_pixel_starts_with_its_settings() -> None:
    code = custom_pixel_code(
        tracking_key='trk_live_a"b', base_url="https://t.example/", session_timeout_minutes=45
    )
    line = next(line for line in code.splitlines() if line.startswith("const ATRIBU_PIXEL"))
    settings = json.loads(line.removeprefix("const ATRIBU_PIXEL_SETTINGS = ").removesuffix(";"))
    assert settings == {
        "trackingKey": 'trk_live_a"b',
        "endpoint": "https://t.example/api/tracking/collect",
        "sessionTimeoutMinutes": "45",
    }
    assert code.rstrip().endswith(
        "startPixel({ analytics, browser, init }, ATRIBU_PIXEL_SETTINGS);\n})();"
    )
    assert "//# sourceMappingURL" not in code  # pasted, not served beside a map
    assert "export " not in code


@needs_node
def test_the_custom_pixel_runs_with_shopifys_globals(tmp_path: Path) -> None:
    """Node runs the code with the standard API's globals: it subscribes to the three events
    and nothing throws (the browser tests run it in a sandbox stand-in)."""
    code = custom_pixel_code(tracking_key="trk_live_x", base_url="https://t.example")
    script = tmp_path / "pixel.cjs"
    script.write_text(
        "const subscribed = [];\n"
        "globalThis.analytics = { subscribe: (name) => subscribed.push(name) };\n"
        "globalThis.browser = {}; globalThis.init = { data: {} };\n"
        + code
        + "console.log(JSON.stringify(subscribed));\n"
    )
    done = subprocess.run([str(NODE), str(script)], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [
        "product_added_to_cart", "checkout_started", "checkout_completed"
    ]  # fmt: skip


def test_the_extension_declares_the_settings_the_pixel_reads() -> None:
    files = pixel_extension_files(tracking_key="trk_live_x", base_url="https://t.example")
    assert set(files) == {
        f"{EXTENSION_DIR}/shopify.extension.toml",
        f"{EXTENSION_DIR}/package.json",
        f"{EXTENSION_DIR}/src/index.js",
        f"{EXTENSION_DIR}/src/atribu-pixel.js",
    }
    extension = tomllib.loads(files[f"{EXTENSION_DIR}/shopify.extension.toml"])
    assert extension["type"] == "web_pixel_extension"
    assert extension["runtime_context"] == "strict"
    assert set(extension["settings"]["fields"]) == set(
        pixel_settings(tracking_key="k", base_url="https://t.example")
    )
    module = files[f"{EXTENSION_DIR}/src/atribu-pixel.js"]
    assert re.search(r"^export function startPixel\(api, settings\)", module, re.M)
    index = files[f"{EXTENSION_DIR}/src/index.js"]
    assert 'import { startPixel } from "./atribu-pixel.js";' in index
    assert "startPixel(api, api.settings)" in index
    package = json.loads(files[f"{EXTENSION_DIR}/package.json"])
    assert "@shopify/web-pixels-extension" in package["dependencies"]


@needs_node
def test_the_extensions_module_is_valid_javascript(tmp_path: Path) -> None:
    files = pixel_extension_files(tracking_key="trk_live_x", base_url="https://t.example")
    module = tmp_path / "atribu-pixel.mjs"
    module.write_text(files[f"{EXTENSION_DIR}/src/atribu-pixel.js"])
    check = tmp_path / "check.mjs"
    check.write_text(
        'import { startPixel } from "./atribu-pixel.mjs";\n'
        "const names = [];\n"
        "const started = startPixel({ analytics: { subscribe: (n) => names.push(n) } },"
        ' { trackingKey: "trk_live_x", endpoint: "https://t.example/api/tracking/collect" });\n'
        "console.log(JSON.stringify([started, names.length]));\n"
        'console.log(JSON.stringify(startPixel({ analytics: {} }, { trackingKey: "" })));\n'
    )
    done = subprocess.run([str(NODE), str(check)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[true,3]", "false"]
