"""The Shopify theme app extension: a theme extension with one app embed in the head, the spec's
settings with their defaults (key, URLs and session rule pre-filled), settings flowing into the
tracker's globals when Shopify renders it, no setting able to leave the script, and, untouched,
the same tracker the profile's pasted snippet would run."""

from __future__ import annotations

import json
import re
import tomllib
from html.parser import HTMLParser

import pytest
from tests.web.shopify_liquid import default_settings, render_block, schema_of

from touchline.web.shopify_theme import BLOCK_PATH, TOML_PATH, theme_extension_files
from touchline.web.snippet import QUEUE_STUB, ConsentMode, profile_globals, tracking_snippet

BASE = "https://touchline.example.com"
KEY = "trk_0123456789abcdef"
# What the tracker does with a global a page leaves unset (docs/tracker.md#configuration).
TRACKER_DEFAULTS: dict[str, object] = {
    "INTERCEPT_FBQ": True, "META_BRIDGE_PAGEVIEW": False, "SESSION_TIMEOUT_MINUTES": 30,
    "SESSION_MODE": "inactivity_only", "ENABLE_CLICK_QUALITY": True, "ENABLE_WEB_VITALS": True,
    "ENABLE_CTA_TRACKING": True, "ENABLE_VIDEO_TRACKING": True, "CONSENT_MODE": "none",
}  # fmt: skip
GLOBAL_LINE = re.compile(r"^\s*window\.ATRIBU_(\w+) = (.*);$", re.MULTILINE)


class Scripts(HTMLParser):
    """The page's script elements as a browser splits them: (attributes, text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self.inside = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append((dict(attrs), ""))
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != "script"

    def handle_data(self, data: str) -> None:
        if self.inside:
            attrs, text = self.found[-1]
            self.found[-1] = (attrs, text + data)


def tracker_of(html: str) -> tuple[dict[str, object], dict[str, str | None]]:
    """The globals an inline script sets and the attributes of the script tag that loads."""
    [(inline_attrs, inline), (tag, text)] = Scripts(html).found
    assert inline_attrs == {} and text == "" and QUEUE_STUB in inline
    return {name: json.loads(value) for name, value in GLOBAL_LINE.findall(inline)}, tag


def block(
    timeout: int = 30, mode: str = "inactivity_or_source_change", consent: str = "none"
) -> str:
    """The block for KEY on BASE (given with a trailing slash) and a profile's settings."""
    files = theme_extension_files(
        tracking_key=KEY, base_url=BASE + "/", session_timeout_minutes=timeout,
        session_mode=mode, consent_mode=ConsentMode(consent),
    )  # fmt: skip
    return files[BLOCK_PATH]


def test_a_theme_extension_with_one_app_embed_in_the_head() -> None:
    files = theme_extension_files(tracking_key=KEY, base_url=BASE)
    assert set(files) == {TOML_PATH, BLOCK_PATH}
    assert TOML_PATH == "extensions/atribu-tracker/shopify.extension.toml"
    assert tomllib.loads(files[TOML_PATH]) == {"name": "Atribu Tracker", "type": "theme"}
    schema = schema_of(files[BLOCK_PATH])
    assert (schema["name"], schema["target"]) == ("Atribu Tracker", "head")
    ids = [setting["id"] for setting in schema["settings"]]
    assert len(ids) == len(set(ids))


def test_the_specs_settings_with_key_urls_and_session_rule_pre_filled() -> None:
    schema = schema_of(block(45, "inactivity_only"))
    assert [(s["label"], s["type"], s["default"]) for s in schema["settings"]] == [
        ("Tracking Key", "text", KEY),
        ("Tracking Endpoint", "text", f"{BASE}/api/tracking/collect"),
        ("Tracker Script URL", "text", f"{BASE}/atribu-tracker.js"),
        ("Intercept Meta Pixel", "checkbox", True),
        ("Session Timeout", "number", 45),
        ("Session Mode", "select", "inactivity_only"),
        ("Click Quality", "checkbox", True),
        ("Web Vitals", "checkbox", True),
        ("CTA Visibility", "checkbox", True),
        ("Video Tracking", "checkbox", True),
    ]
    [mode] = [s for s in schema["settings"] if s["id"] == "session_mode"]
    assert mode["options"] == [
        {"value": "inactivity_or_source_change", "label": "Inactivity or source change"},
        {"value": "inactivity_only", "label": "Inactivity only"},
    ]
    # The spec's own session defaults when no profile says otherwise.
    defaults = default_settings(theme_extension_files(tracking_key=KEY, base_url=BASE)[BLOCK_PATH])
    assert (defaults["session_timeout_minutes"], defaults["session_mode"]) == (
        30,
        "inactivity_or_source_change",
    )


@pytest.mark.parametrize(
    ("timeout", "mode"), [(0, "inactivity_only"), (121, "inactivity_only"), (30, "inactivity")]
)
def test_a_session_rule_the_tracker_cannot_follow_is_refused(timeout: int, mode: str) -> None:
    with pytest.raises(ValueError, match="session"):
        block(timeout, mode)


def test_settings_flow_into_the_globals_and_switches_off_are_false() -> None:
    settings: dict[str, object] = {
        "tracking_key": " trk_other ", "tracking_endpoint": "https://t.shop.example/api/tracking/collect",
        "tracker_script_url": "https://cdn.shop.example/atribu-tracker.js",
        "intercept_meta_pixel": False, "session_timeout_minutes": 12,
        "session_mode": "inactivity_only", "click_quality": False, "web_vitals": False,
        "cta_visibility": False, "video_tracking": False,
    }  # fmt: skip
    globals_, tag = tracker_of(render_block(block(), settings))
    assert globals_ == {
        "TRACKING_KEY": "trk_other", "TRACKING_ENDPOINT": "https://t.shop.example/api/tracking/collect",
        "INTERCEPT_FBQ": False, "META_BRIDGE_PAGEVIEW": False, "SESSION_TIMEOUT_MINUTES": 12,
        "SESSION_MODE": "inactivity_only", "ENABLE_CLICK_QUALITY": False,
        "ENABLE_WEB_VITALS": False, "ENABLE_CTA_TRACKING": False, "ENABLE_VIDEO_TRACKING": False,
    }  # fmt: skip
    assert tag == {"src": "https://cdn.shop.example/atribu-tracker.js", "defer": None}


@pytest.mark.parametrize(("entered", "used"), [(0, 1), (500, 120), (7.6, 8), (None, 45)])
def test_the_timeout_stays_within_1_to_120_and_blank_is_the_profiles(
    entered: object, used: int
) -> None:
    html = render_block(block(45), {"session_timeout_minutes": entered})
    assert tracker_of(html)[0]["SESSION_TIMEOUT_MINUTES"] == used


def test_without_a_tracking_key_the_embed_renders_nothing() -> None:
    assert render_block(block(), {"tracking_key": "  "}).strip() == ""
    assert render_block(block(), {"tracking_key": None}).strip() == ""


def test_a_hostile_setting_cannot_leave_the_script() -> None:
    hostile = {
        "tracking_key": 'trk_"</script><script>alert(1)</script>',
        "tracking_endpoint": "x';</SCRIPT ><!--",
        "tracker_script_url": '/t.js" onload="alert(1)"><script>alert(2)</script>',
        "session_mode": "</script><script>alert(3)//",
    }
    cart = {"attributes": {"_atribu_anonymous_id": "</script><script>alert(4)</script>"}}
    html = render_block(block(), hostile, cart)
    globals_, tag = tracker_of(html)  # still exactly two script elements
    assert globals_["TRACKING_KEY"] == hostile["tracking_key"]
    assert globals_["TRACKING_ENDPOINT"] == hostile["tracking_endpoint"]
    assert globals_["SESSION_MODE"] == hostile["session_mode"]
    assert tag == {"src": hostile["tracker_script_url"], "defer": None}
    assert "</script><script>alert(4)" not in html


@pytest.mark.parametrize(
    ("timeout", "mode", "consent"),
    [(30, "inactivity_only", "none"), (45, "inactivity_or_source_change", "none"),
     (30, "inactivity_only", "required")],
)  # fmt: skip
def test_untouched_it_runs_the_tracker_the_profiles_snippet_would(
    timeout: int, mode: str, consent: str
) -> None:
    embed_globals, embed_tag = tracker_of(render_block(block(timeout, mode, consent)))
    extra = profile_globals(
        session_timeout_minutes=timeout, session_mode=mode, consent_mode=ConsentMode(consent)
    )
    snippet_globals, snippet_tag = tracker_of(
        tracking_snippet(tracking_key=KEY, base_url=BASE, extra=extra)
    )
    assert TRACKER_DEFAULTS | embed_globals == TRACKER_DEFAULTS | snippet_globals
    assert embed_tag == snippet_tag == {"src": f"{BASE}/atribu-tracker.js", "defer": None}
