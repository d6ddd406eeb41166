"""The Shopify theme app extension: the tracking snippet as the "Atribu Tracker" app embed,
whose settings a merchant edits in the theme editor, pre-filled for one profile and this server.
The embed also writes the visitor's anonymous id into a hidden cart attribute, so orders tie
to the visit (docs/connectors/shopify.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from touchline.web.snippet import COLLECT_PATH, QUEUE_STUB, ConsentMode
from touchline.web.tracker_bundle import SCRIPT_NAME

EXTENSION_DIR: Final = "extensions/atribu-tracker"
TOML_PATH: Final = f"{EXTENSION_DIR}/shopify.extension.toml"
BLOCK_PATH: Final = f"{EXTENSION_DIR}/blocks/atribu-tracker.liquid"
CART_ATTRIBUTE: Final = "_atribu_anonymous_id"
SESSION_MODES: Final = {
    "inactivity_or_source_change": "Inactivity or source change",
    "inactivity_only": "Inactivity only",
}
MIN_TIMEOUT, MAX_TIMEOUT = 1, 120

_TOML: Final = 'name = "Atribu Tracker"\ntype = "theme"\n'
# A setting as a JS value: JSON, with "<" escaped so no value can close the script element
# (whether or not the engine's json filter escapes it already).
_JSON: Final = "{{{{ {} | json | replace: '<', '\\u003c' }}}}"
_SWITCH: Final = "{{% if block.settings.{} %}}true{{% else %}}false{{% endif %}}"
_TIMEOUT: Final = (
    "{%- assign timeout = block.settings.session_timeout_minutes | default: DEFAULT"
    f" | round | at_least: {MIN_TIMEOUT} | at_most: {MAX_TIMEOUT} -%}}\n"
)
# Once the tracker has made the anonymous id (in a task after its deferred script; by `load`,
# else polled for 5 s), post it to the cart unless the cart this page was rendered with already
# carries it: one request per visitor and cart, not one per page.
_CART_TIE: Final = """  (function (win, tied) {
    var tries = 0;
    function tie() {
      var id = null;
      try { id = win.localStorage.getItem("atribu_anon_id"); } catch (e) {}
      if (!id) { if (++tries < 20) win.setTimeout(tie, 250); return; }
      if (id === tied) return;
      var root = (win.Shopify && win.Shopify.routes && win.Shopify.routes.root) || "/";
      win.fetch(root + "cart/update.js", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ attributes: { ATTRIBUTE: id } })
      });
    }
    if (win.document.readyState === "complete") tie();
    else win.addEventListener("load", tie);
  })(window, {{ cart.attributes["ATTRIBUTE"] | json | replace: '<', '\\u003c' }});
""".replace("ATTRIBUTE", CART_ATTRIBUTE)


@dataclass(frozen=True, slots=True)
class Switch:
    """A checkbox of the embed: the tracker global it sets to true or false."""

    setting: str
    label: str
    info: str
    name: str  # window.ATRIBU_<name>

    def schema(self) -> dict[str, object]:
        return {
            "type": "checkbox", "id": self.setting, "label": self.label, "default": True,
            "info": self.info,
        }  # fmt: skip


PIXEL: Final = Switch(
    "intercept_meta_pixel", "Intercept Meta Pixel",
    "Mirror fbq() events server-side for better Meta CAPI match quality.", "INTERCEPT_FBQ",
)  # fmt: skip
SIGNALS: Final = (
    Switch("click_quality", "Click Quality", "Track rage clicks and dead clicks.",
           "ENABLE_CLICK_QUALITY"),
    Switch("web_vitals", "Web Vitals", "Capture LCP, CLS and INP.", "ENABLE_WEB_VITALS"),
    Switch("cta_visibility", "CTA Visibility",
           "Track when call-to-action buttons enter the viewport.", "ENABLE_CTA_TRACKING"),
    Switch("video_tracking", "Video Tracking",
           "Track native video, Wistia and Video.js playback.", "ENABLE_VIDEO_TRACKING"),
)  # fmt: skip


def theme_extension_files(
    *,
    tracking_key: str,
    base_url: str,
    session_timeout_minutes: int = 30,
    session_mode: str = "inactivity_or_source_change",
    consent_mode: ConsentMode = ConsentMode.NONE,
) -> dict[str, str]:
    """The extension's files (path under a Shopify app's root → text), its settings' defaults
    being `tracking_key`, this server at `base_url` (scheme and host) and the profile's session
    rule; a consent mode other than none is fixed in the block (not a theme setting)."""
    if not MIN_TIMEOUT <= session_timeout_minutes <= MAX_TIMEOUT:
        raise ValueError(f"session timeout must be {MIN_TIMEOUT}-{MAX_TIMEOUT} minutes")
    if session_mode not in SESSION_MODES:
        raise ValueError(f"unknown session mode: {session_mode}")
    base = base_url.rstrip("/")
    schema = block_schema(
        tracking_key=tracking_key,
        endpoint=base + COLLECT_PATH,
        script_url=f"{base}/{SCRIPT_NAME}.js",
        session_timeout_minutes=session_timeout_minutes,
        session_mode=session_mode,
    )
    block = block_liquid(session_timeout_minutes=session_timeout_minutes, consent_mode=consent_mode)
    schema_text = json.dumps(schema, indent=2, ensure_ascii=False)
    return {
        TOML_PATH: _TOML,
        BLOCK_PATH: f"{block}\n{{% schema %}}\n{schema_text}\n{{% endschema %}}\n",
    }


def block_schema(
    *,
    tracking_key: str,
    endpoint: str,
    script_url: str,
    session_timeout_minutes: int,
    session_mode: str,
) -> dict[str, object]:
    """The app embed's `{% schema %}`: in the head of every page, the spec's settings in its
    order. The timeout is a number field (a 1-120 slider would exceed Shopify's 101 steps)."""
    settings: list[dict[str, object]] = [
        _text("tracking_key", "Tracking Key", tracking_key,
              "Your trk_ key: touchline tracking-key list --profile ID."),
        _text("tracking_endpoint", "Tracking Endpoint", endpoint,
              "Change only if using a custom domain."),
        _text("tracker_script_url", "Tracker Script URL", script_url,
              "Change only if self-hosting the script."),
        PIXEL.schema(),
        {"type": "number", "id": "session_timeout_minutes", "label": "Session Timeout",
         "default": session_timeout_minutes,
         "info": "Minutes of inactivity before a new session starts (1-120)."},
        {"type": "select", "id": "session_mode", "label": "Session Mode", "default": session_mode,
         "options": [{"value": v, "label": label} for v, label in SESSION_MODES.items()],
         "info": "Also start a new session when the visitor arrives from another campaign."},
        *(switch.schema() for switch in SIGNALS),
    ]  # fmt: skip
    return {"name": "Atribu Tracker", "target": "head", "settings": settings}


def block_liquid(*, session_timeout_minutes: int, consent_mode: ConsentMode) -> str:
    """The block's Liquid: the snippet with each global read from the block's settings; nothing
    without a tracking key. A blank or out-of-range timeout is brought into 1-120."""
    lines = [
        ("TRACKING_KEY", _JSON.format("key")),
        ("TRACKING_ENDPOINT", _JSON.format("block.settings.tracking_endpoint | strip")),
        (PIXEL.name, _SWITCH.format(PIXEL.setting)),
        ("META_BRIDGE_PAGEVIEW", "false"),
        ("SESSION_TIMEOUT_MINUTES", "{{ timeout }}"),
        ("SESSION_MODE", _JSON.format("block.settings.session_mode")),
        *((switch.name, _SWITCH.format(switch.setting)) for switch in SIGNALS),
    ]
    if consent_mode is not ConsentMode.NONE:
        lines.append(("CONSENT_MODE", json.dumps(consent_mode.value)))
    globals_ = "".join(f"  window.ATRIBU_{name} = {value};\n" for name, value in lines)
    return (
        "{%- assign key = block.settings.tracking_key | strip -%}\n"
        + '{%- if key != "" -%}\n'
        + _TIMEOUT.replace("DEFAULT", str(session_timeout_minutes))
        + f"<script>\n{globals_}{QUEUE_STUB}{_CART_TIE}</script>\n"
        + '<script src="{{ block.settings.tracker_script_url | strip | escape }}" defer></script>\n'
        + "{%- endif -%}\n"
    )


def _text(setting: str, label: str, default: str, info: str) -> dict[str, object]:
    return {"type": "text", "id": setting, "label": label, "default": default, "info": info}
