"""The Shopify web pixel, in the two forms Shopify takes it: the code a merchant pastes as a
custom pixel (Settings > Customer events), and a web pixel extension for a Shopify app. Both
are built from `static/tracker/shopify-pixel.js` by the tracker's build; the settings
(tracking key, collect URL, session timeout) are filled in here. docs/tracker.md#shopify.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Final, Literal

from touchline.web.snippet import COLLECT_PATH
from touchline.web.tracker_bundle import build_asset, current_bundle

PIXEL_ENTRY: Final = "shopify-pixel.js"
CUSTOM_PIXEL_ENTRY: Final = "shopify-custom-pixel.js"
EXTENSION_DIR: Final = "extensions/atribu-pixel"
# Shopify's package for app web pixels (`register`), as its extension template pins it.
WEB_PIXELS_PACKAGE: Final = "@shopify/web-pixels-extension"
WEB_PIXELS_RANGE: Final = "^2.10.0"


@cache
def _built(entry: str, form: Literal["script", "module"]) -> str:
    """The entry built as the tracker is, without the lines for a served file (V8's compile
    hint, the source map's URL): this code is pasted or bundled elsewhere."""
    asset = build_asset(entry, form=form, version=current_bundle().version)
    return "".join(line for line in asset.text.splitlines(True) if not line.startswith("//# "))


def pixel_settings(
    *, tracking_key: str, base_url: str, session_timeout_minutes: int = 30
) -> dict[str, str]:
    """The pixel's settings, as Shopify stores an app pixel's: every value a string."""
    return {
        "trackingKey": tracking_key,
        "endpoint": base_url.rstrip("/") + COLLECT_PATH,
        "sessionTimeoutMinutes": str(session_timeout_minutes),
    }


def custom_pixel_code(
    *, tracking_key: str, base_url: str, session_timeout_minutes: int = 30
) -> str:
    """What a merchant pastes as a custom pixel: the settings line, then the pixel."""
    settings = pixel_settings(
        tracking_key=tracking_key,
        base_url=base_url,
        session_timeout_minutes=session_timeout_minutes,
    )
    return (
        f"// Touchline's Shopify pixel (tracker {current_bundle().version}): paste it in Shopify"
        " admin > Settings >\n// Customer events > Add custom pixel. It sends add_to_cart,"
        " checkout_started and purchase\n// as the storefront tracker's visitor.\n"
        f"const ATRIBU_PIXEL_SETTINGS = {json.dumps(settings)};\n"
        + _built(CUSTOM_PIXEL_ENTRY, "script")
    )


_EXTENSION_TOML: Final = """\
# Touchline's web pixel, as a Shopify app extension (`shopify app deploy`). The app
# activates it on a store with the Admin API's webPixelCreate, giving the settings below:
# {SETTINGS}
type = "web_pixel_extension"
name = "atribu-pixel"
runtime_context = "strict"

[customer_privacy]
analytics = true
marketing = true
preferences = false
sale_of_data = "disabled"

[settings]
type = "object"

[settings.fields.trackingKey]
name = "Tracking key"
description = "The trk_ key of the Touchline profile"
type = "single_line_text_field"
validations = [{ name = "min", value = "1" }]

[settings.fields.endpoint]
name = "Tracking endpoint"
description = "Touchline's collect URL"
type = "single_line_text_field"
validations = [{ name = "min", value = "1" }]

[settings.fields.sessionTimeoutMinutes]
name = "Session timeout (minutes)"
description = "As the storefront tracker's: 1 to 120"
type = "single_line_text_field"
"""

_EXTENSION_INDEX: Final = f"""\
// Touchline's web pixel as an app extension: Shopify passes the standard API and the
// settings the app gave webPixelCreate.
import {{ register }} from "{WEB_PIXELS_PACKAGE}";
import {{ startPixel }} from "./atribu-pixel.js";

register((api) => {{
  startPixel(api, api.settings);
}});
"""


def pixel_extension_files(
    *, tracking_key: str, base_url: str, session_timeout_minutes: int = 30
) -> dict[str, str]:
    """The web pixel extension of a Shopify app, path (under the app) → text."""
    settings = pixel_settings(
        tracking_key=tracking_key,
        base_url=base_url,
        session_timeout_minutes=session_timeout_minutes,
    )
    package = {
        "name": "atribu-pixel",
        "private": True,
        "version": "1.0.0",
        "main": "src/index.js",
        "license": "AGPL-3.0-or-later",
        "dependencies": {WEB_PIXELS_PACKAGE: WEB_PIXELS_RANGE},
    }
    return {
        f"{EXTENSION_DIR}/shopify.extension.toml": _EXTENSION_TOML.replace(
            "{SETTINGS}", json.dumps(settings)
        ),
        f"{EXTENSION_DIR}/package.json": json.dumps(package, indent=2) + "\n",
        f"{EXTENSION_DIR}/src/index.js": _EXTENSION_INDEX,
        f"{EXTENSION_DIR}/src/atribu-pixel.js": _built(PIXEL_ENTRY, "module"),
    }
