"""The npm package as its users meet it, with the real Node and npm (`make test` installs
Debian's; without them these tests are skipped): `npm install` of the tarball, `import` and
`require` of `@atribu/tracker` on a server (no `window`: a silent no-op client), an install
from a running Touchline's `/tracker.tgz`, and TypeScript compiling the spec's npm usage
against the package's declarations, and refusing a wrong option type.

TypeScript comes from the npm registry (`typescript@5.9.3`, pinned), once, into
`.test-data/npm/` (ignored, removed by `make clean`). When the registry cannot be reached on
that first run the TypeScript tests fail, saying so, rather than skip: a skipped type check
would let broken declarations through unnoticed. Later runs use the cached copy and need no network.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.browser.harness import running_touchline

from touchline.web.tracker_bundle import current_bundle

NODE, NPM = shutil.which("node"), shutil.which("npm")
pytestmark = pytest.mark.skipif(
    NODE is None or NPM is None,
    reason="node and npm are not installed (make test installs Debian's: scripts/ensure-node.sh)",
)

REPOSITORY = Path(__file__).resolve().parents[2]
TYPESCRIPT_VERSION = "5.9.3"  # pinned: a new compiler can change what compiles
TYPESCRIPT_DIR = REPOSITORY / ".test-data" / "npm" / f"typescript-{TYPESCRIPT_VERSION}"
TYPESCRIPT_PACKAGE = f"typescript@{TYPESCRIPT_VERSION}"
COMMAND_SECONDS = 300
METHODS = sorted(
    [
        "track", "trackRevenue", "trackSelfDescribing", "identify", "page", "setUserId",
        "observeImpression", "setConsent", "flush", "reset", "getAnonymousId", "getSessionId",
    ]
)  # fmt: skip

# Run on Node: no window, so init() is the no-op client and every export a silent no-op. Any
# network use would be a bug: fetch and sendBeacon are made to throw.
CHECKS = """
if (typeof window !== "undefined") throw new Error("window is defined");
globalThis.fetch = () => { throw new Error("fetch called"); };
const client = tracker.init({ trackingKey: "k" });
const methods = Object.keys(client).sort();
for (const method of methods) {
  if (method === "observeImpression") continue;
  if (client[method]("x", { a: 1 }) !== undefined) throw new Error(method + " returned");
}
const stop = client.observeImpression("#hero", { section: "hero" }, { threshold: 0.8 });
if (typeof stop !== "function" || stop() !== undefined) throw new Error("no cleanup");
const early = tracker.observeImpression("#hero");
if (typeof early !== "function" || early() !== undefined) throw new Error("no early cleanup");
for (const name of Object.keys(tracker)) {
  if (typeof tracker[name] === "function" && name !== "init" && name !== "observeImpression") {
    if (tracker[name]("x") !== undefined) throw new Error(name + " returned");
  }
}
const exported = Object.keys(tracker).sort();
console.log(JSON.stringify({ version: tracker.VERSION, methods, exports: exported, resolved }));
"""
ESM_SCRIPT = (
    'import { init, track, VERSION } from "@atribu/tracker";\n'
    'import * as tracker from "@atribu/tracker";\n'
    "if (init !== tracker.init || track !== tracker.track) throw 0;\n"
    "if (VERSION !== tracker.VERSION) throw 0;\n"
    # import.meta.resolve: Node ≥ 18.19 (without it, no `default` export still shows an ES module)
    'const resolved = import.meta.resolve?.("@atribu/tracker") ?? null;\n' + CHECKS
)
CJS_SCRIPT = (
    'const tracker = require("@atribu/tracker");\n'
    'const resolved = require.resolve("@atribu/tracker");\n' + CHECKS
)

# The spec's documented npm usage (004:L9190-9483), compiled with --strict.
USAGE_TS = """
import {
  init, track, trackRevenue, trackSelfDescribing, identify, setConsent, observeImpression,
  flush, reset, page, setUserId, getAnonymousId, getSessionId, VERSION,
} from "@atribu/tracker";
import type {
  AtribuConfig, AtribuClient, TrackOptions, IdentifyInput, ConsentPayload, TrackingEvent,
} from "@atribu/tracker";

const config: AtribuConfig = {
  trackingKey: "trk_live_your_key",
  apiHost: "https://t.example.com",
  trackingEndpoint: "https://t.example.com/api/tracking/collect",
  interceptMetaFbq: true,
  metaBridgePageview: false,
  sessionTimeoutMinutes: 30,
  sessionMode: "inactivity_or_source_change",
  heartbeatIntervalSeconds: false,
  enableClickQuality: true,
  enableWebVitals: true,
  enableCtaTracking: true,
  enableVideoTracking: true,
  ignoredPages: ["/admin/*"],
  customProperties: (ctx) => ({
    currentPath: ctx.path,
    isLoggedIn: !!localStorage.getItem("token"),
  }),
  transformRequest: (event: TrackingEvent) => {
    if (event.path?.startsWith("/admin")) return null;
    event.payload.buildId = "abc123";
    return event;
  },
};
const client: AtribuClient = init(config);
init({
  trackingKey: "trk_live_...",
  heartbeatIntervalSeconds: 0,
  customProperties: { environment: "production", appVersion: "2.1.0" },
});
track("button_clicked", { buttonName: "pricing_cta" });
track("page_loaded");
const options: TrackOptions = { payload: { plan: "pro" } };
client.track("pricing_viewed", options);
trackRevenue("purchase", 99.99, "USD", { plan: "Pro" });
trackSelfDescribing({
  eventSchema: "com.atribu.checkout",
  schemaVersion: 1,
  payload: { step: "payment", method: "credit_card" },
});
const person: IdentifyInput = {
  email: "jane@example.com", firstName: "Jane", lastName: "Smith", phone: "+1-555-0123",
};
identify(person);
const consent: ConsentPayload = { analytics: true, marketing: false };
setConsent(consent);
const cleanup: () => void = observeImpression("#hero-banner", { section: "hero" });
const el = document.querySelector(".pricing-card");
const cleanup2 = observeImpression(el, { plan: "pro" }, { threshold: 0.8 });
cleanup();
cleanup2();
flush();
reset();
page();
setUserId("u-1");
const ids: (string | undefined)[] = [getAnonymousId(), getSessionId(), client.getSessionId()];
const version: string = VERSION;
export { ids, version };
"""
# CommonJS TypeScript: `require` resolves to index.cjs and its declarations, index.d.cts.
USAGE_CTS = """
import tracker = require("@atribu/tracker");
import type { AtribuClient } from "@atribu/tracker";

const client: AtribuClient = tracker.init({ trackingKey: "k", sessionMode: "inactivity_only" });
client.track("signed_up", { plan: "pro" });
export = client;
"""
# Wrong option types: each line must be a compile error (the declarations are not `any`).
WRONG_TS = """
import { init, trackRevenue } from "@atribu/tracker";
init({ trackingKey: "k", sessionTimeoutMinutes: "30" });
init({ trackingKey: "k", heartbeatIntervalSeconds: true });
init({ trackingKey: "k", sessionMode: "forever" });
init({ apiHost: "https://t.example.com" });
trackRevenue("purchase", "99.99", "USD");
"""
WRONG_LINES = 5


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Runs the command; fails the test with its output when it fails."""
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def npm_environment(cache: Path) -> dict[str, str]:
    return os.environ | {
        "npm_config_cache": str(cache),
        "npm_config_update_notifier": "false",
        "npm_config_noproxy": "127.0.0.1,localhost",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def new_project(root: Path, *, module: bool) -> Path:
    root.mkdir(parents=True)
    manifest = {"name": "consumer", "version": "1.0.0", "private": True}
    if module:
        manifest["type"] = "module"
    (root / "package.json").write_text(json.dumps(manifest))
    return root


def npm_install(project: Path, what: str, *, offline: bool) -> None:
    assert NPM is not None
    flags = ["--no-audit", "--no-fund", "--ignore-scripts"] + (["--offline"] if offline else [])
    run([NPM, "install", *flags, what], project, npm_environment(project.parent / "npm-cache"))


def installed_project(tmp_path: Path, *, module: bool) -> Path:
    """A fresh project with the package installed from its tarball, offline."""
    tarball = tmp_path / "tracker.tgz"
    tarball.write_bytes(current_bundle().package.tarball)
    project = new_project(tmp_path / "project", module=module)
    npm_install(project, str(tarball), offline=True)
    return project


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    return installed_project(tmp_path, module=False)


def node_result(project: Path, name: str, script: str) -> dict[str, object]:
    assert NODE is not None
    (project / name).write_text(script)
    output = run([NODE, name], project)
    result: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return result


def check_no_op(result: dict[str, object], entry: str) -> None:
    bundle = current_bundle()
    assert result["version"] == bundle.version
    assert result["methods"] == METHODS
    assert result["exports"] == sorted([*METHODS, "init", "VERSION"])
    if result["resolved"] is not None:
        assert str(result["resolved"]).endswith(f"node_modules/@atribu/tracker/{entry}")


def test_installed_from_the_tarball_the_es_module_is_a_no_op_on_the_server(
    installed: Path,
) -> None:
    manifest = json.loads((installed / "node_modules/@atribu/tracker/package.json").read_text())
    assert manifest["version"] == f"0.0.0-tracker-{current_bundle().version}"
    check_no_op(node_result(installed, "check.mjs", ESM_SCRIPT), "index.mjs")


def test_installed_from_the_tarball_require_gets_the_commonjs_build(installed: Path) -> None:
    check_no_op(node_result(installed, "check.cjs", CJS_SCRIPT), "index.cjs")


def test_npm_installs_the_package_from_a_running_touchlines_url(tmp_path: Path) -> None:
    with running_touchline(tmp_path / "data") as touchline:
        project = new_project(tmp_path / "project", module=True)
        url = f"{touchline.origin}/tracker.tgz"
        npm_install(project, url, offline=False)
    manifest = json.loads((project / "package.json").read_text())
    assert manifest["dependencies"] == {"@atribu/tracker": url}
    check_no_op(node_result(project, "check.js", ESM_SCRIPT), "index.mjs")


@pytest.fixture(scope="module")
def tsc() -> Iterator[Path]:
    """TypeScript 5's compiler, from the registry once, then from `.test-data/npm/`."""
    assert NPM is not None
    compiler = TYPESCRIPT_DIR / "node_modules" / "typescript" / "bin" / "tsc"
    TYPESCRIPT_DIR.mkdir(parents=True, exist_ok=True)
    with (TYPESCRIPT_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test process may be installing it
        if not compiler.exists():
            (TYPESCRIPT_DIR / "package.json").write_text('{"private": true}')
            done = subprocess.run(
                [
                    NPM,
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--ignore-scripts",
                    TYPESCRIPT_PACKAGE,
                ],
                cwd=TYPESCRIPT_DIR,
                env=npm_environment(TYPESCRIPT_DIR / "cache"),
                capture_output=True,
                text=True,
                timeout=COMMAND_SECONDS,
                check=False,
            )
            if done.returncode != 0 or not compiler.exists():
                pytest.fail(
                    f"could not install {TYPESCRIPT_PACKAGE} from the npm registry into "
                    f"{TYPESCRIPT_DIR} (the type tests need it once, then use that copy): "
                    f"npm exited {done.returncode}:\n{done.stderr[-2000:]}"
                )
    yield compiler


def compile_typescript(
    tsc: Path, project: Path, files: list[str]
) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    options = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext",
               "--target", "es2022", "--lib", "es2022,dom"]  # fmt: skip
    return subprocess.run(
        [NODE, str(tsc), *options, *files],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )


@pytest.fixture
def typed_project(tmp_path: Path) -> Path:
    return installed_project(tmp_path, module=True)


def test_typescript_compiles_the_specs_npm_usage_strictly(tsc: Path, typed_project: Path) -> None:
    (typed_project / "usage.ts").write_text(USAGE_TS)
    (typed_project / "usage.cts").write_text(USAGE_CTS)
    done = compile_typescript(tsc, typed_project, ["usage.ts", "usage.cts"])
    assert done.returncode == 0, done.stdout + done.stderr


def test_typescript_refuses_wrong_option_types(tsc: Path, typed_project: Path) -> None:
    (typed_project / "wrong.ts").write_text(WRONG_TS)
    done = compile_typescript(tsc, typed_project, ["wrong.ts"])
    assert done.returncode != 0
    flagged = set(re.findall(r"^wrong\.ts\((\d+),\d+\): error TS\d+", done.stdout, re.M))
    assert flagged == {str(line) for line in range(3, 3 + WRONG_LINES)}, done.stdout
