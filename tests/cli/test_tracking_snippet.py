"""`touchline tracking-key snippet`: the spec's snippet with the profile's key and this
server's URL; a profile off the defaults (session rule, consent mode) adds its globals."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from touchline.cli.main import app
from touchline.errors import NotFound
from touchline.web.shopify_pixel import custom_pixel_code

# The spec's snippet ("Install the tracker"), its key and host marked <KEY> and <HOST>.
SPEC_SNIPPET = """<script>
  window.ATRIBU_TRACKING_KEY = "<KEY>";
  window.ATRIBU_TRACKING_ENDPOINT = "<HOST>/api/tracking/collect";
  window.ATRIBU_INTERCEPT_FBQ = true;
  window.ATRIBU_META_BRIDGE_PAGEVIEW = false;
  window.atribuTracker = window.atribuTracker || function() {
    (window.atribuTracker.q = window.atribuTracker.q || []).push(arguments);
  };
</script>
<script src="<HOST>/atribu-tracker.js" defer></script>"""


def touchline(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def provision(env: dict[str, str], *profile_options: str) -> tuple[str, str]:
    workspace = orjson.loads(touchline(env, "workspace", "create", "Agency", "--json"))["id"]
    profile = orjson.loads(
        touchline(
            env, "profile", "create", "--workspace", workspace, "Clinic", *profile_options, "--json"
        )
    )["id"]
    key = orjson.loads(touchline(env, "tracking-key", "create", "--profile", profile, "--json"))[
        "key"
    ]
    return profile, key


def test_the_snippet_is_the_specs_with_the_key_and_this_servers_url(tmp_path: Path) -> None:
    env = {"TOUCHLINE_DATA_DIR": str(tmp_path), "TOUCHLINE_PUBLIC_URL": "https://t.clinic.example/"}
    profile, key = provision(env)
    printed = touchline(env, "tracking-key", "snippet", "--profile", profile)
    expected = SPEC_SNIPPET.replace("<KEY>", key).replace("<HOST>", "https://t.clinic.example")
    assert printed == expected + "\n"
    as_json = orjson.loads(
        touchline(env, "tracking-key", "snippet", "--profile", profile, "--json")
    )
    assert as_json == {"profile_id": profile, "tracking_key": key, "snippet": expected}


def test_a_profile_off_the_defaults_adds_its_globals_and_no_key_is_an_error(tmp_path: Path) -> None:
    env = {"TOUCHLINE_DATA_DIR": str(tmp_path)}
    profile, key = provision(
        env, "--session-timeout", "15", "--session-mode", "inactivity_or_source_change"
    )
    printed = touchline(
        env, "tracking-key", "snippet", "--profile", profile, "--consent-mode", "strict",
        "--cookie-domain", "clinic.example",
    )  # fmt: skip
    assert printed.splitlines()[5:9] == [
        "  window.ATRIBU_SESSION_TIMEOUT_MINUTES = 15;",
        '  window.ATRIBU_SESSION_MODE = "inactivity_or_source_change";',
        '  window.ATRIBU_CONSENT_MODE = "strict";',
        '  window.ATRIBU_COOKIE_DOMAIN = "clinic.example";',
    ]
    assert '"http://127.0.0.1:8000/atribu-tracker.js"' in printed
    touchline(env, "tracking-key", "revoke", key)
    result = CliRunner().invoke(app, ["tracking-key", "snippet", "--profile", profile], env=env)
    assert isinstance(result.exception, NotFound)  # exit status 4 at the entry point
    assert "no active tracking key" in str(result.exception)


def test_shopify_prints_the_custom_pixel_or_writes_the_apps_extensions(tmp_path: Path) -> None:
    env = {
        "TOUCHLINE_DATA_DIR": str(tmp_path / "data"),
        "TOUCHLINE_PUBLIC_URL": "https://t.example",
    }
    profile, key = provision(env, "--session-timeout", "45")
    code = touchline(env, "tracking-key", "shopify", "--profile", profile)
    assert code == custom_pixel_code(
        tracking_key=key, base_url="https://t.example", session_timeout_minutes=45
    )
    out = tmp_path / "app"
    listed = orjson.loads(
        touchline(env, "tracking-key", "shopify", "--profile", profile, "--out", str(out), "--json")
    )
    assert listed["files"][0] == "custom-pixel.js"
    assert (out / "custom-pixel.js").read_text() == code
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(listed["files"])
    toml = (out / "extensions/atribu-pixel/shopify.extension.toml").read_text()
    assert key in toml  # the settings the app gives webPixelCreate, as an example
    # The storefront's app embed, pre-filled with the key and the profile's session rule.
    embed = (out / "extensions/atribu-tracker/blocks/atribu-tracker.liquid").read_text()
    schema = orjson.loads(embed.split("{% schema %}")[1].split("{% endschema %}")[0])
    defaults = {setting["id"]: setting.get("default") for setting in schema["settings"]}
    assert key in defaults.values() and 45 in defaults.values()
    assert (out / "extensions/atribu-tracker/shopify.extension.toml").is_file()
