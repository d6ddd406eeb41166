"""The tracker's own cost on a page: all main-thread time /atribu-tracker.js spends getting
going on page load, in Debian's chromium driven by Playwright. Target: at most 5 ms.

What is counted (docs/decisions/0908, 0909): the script's evaluation on the renderer's main
thread, loaded the way the spec's snippet loads it (`<script src=… defer>`, which chromium
streams: parsing and compiling happen off the main thread as the bytes arrive), read from a
`devtools.timeline` trace of the visit (the `EvaluateScript` event of the tracker's URL: the
compilation's main-thread finish, the top level and init), plus every callback the tracker hands
the browser in the next 1.5 s with nobody touching the page: timers, idle callbacks, animation
frames, observers and event listeners are wrapped before the script runs and each call is timed
with `performance.now()`. That covers the start task (localStorage, cookies, the landing page
view), the CTA scan, buffered web-vitals entries and the first send. Work moved into a later
task is still counted; the promise continuation of the send is not.

Beside it, the old pessimistic measure: the same page, but the script fetched and evaluated
with an indirect `eval` between two `performance.now()` readings (parsing on the main thread).

A first visit is a fresh browser profile (ids created, storage and cookies written); the
returning visit reloads the same page in that profile. The page has about 300 elements
(links, "Book now" buttons, a form, a video). No network: Playwright routes answer the page,
the script and collect. Run alone: `.venv/bin/python -m bench.t12_tracker_init [--quick]`.
With `--floor` it measures instead, interleaved, an empty script and a script doing only the
storage the spec's ids need, beside the tracker (decision 0910).
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Route, sync_playwright

from bench.result import Goal, Result
from touchline.web.tracker_bundle import current_bundle

COVERS = ("TRACKER",)
TARGET_MS = 5.0
WINDOW_MS = 1500
ORIGIN = "https://bench.example"
BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
SNIPPET = """<script>
  window.ATRIBU_TRACKING_KEY = "trk_live_bench";
  window.ATRIBU_TRACKING_ENDPOINT = "https://bench.example/api/tracking/collect";
  window.atribuTracker = window.atribuTracker || function() {
    (window.atribuTracker.q = window.atribuTracker.q || []).push(arguments);
  };
</script>"""
# Wraps every way a script hands the browser a callback. Each callback's time is added to its
# kind ("setTimeout 0", "IntersectionObserver", "load", …); `window.benchResult` (awaited by
# Playwright's evaluate, not polled: polling would run through the wrappers) gives the sums
# WINDOW_MS after the tracker ran.
METER = """<script>
(() => {
  const now = () => performance.now();
  const wait = window.setTimeout.bind(window);
  const spent = {};
  const timed = (kind, callback) => typeof callback !== "function" ? callback : function () {
    const begun = now();
    try { return callback.apply(this, arguments); }
    finally { spent[kind] = (spent[kind] || 0) + now() - begun; }
  };
  for (const name of ["setTimeout", "setInterval"]) {
    const original = window[name];
    window[name] = (callback, delay, ...rest) =>
      original(timed(name + " " + (delay || 0), callback), delay, ...rest);
  }
  for (const name of ["requestIdleCallback", "requestAnimationFrame", "queueMicrotask"]) {
    const original = window[name];
    if (original) window[name] = (callback, ...rest) => original(timed(name, callback), ...rest);
  }
  for (const name of ["IntersectionObserver", "PerformanceObserver", "MutationObserver"]) {
    const Original = window[name];
    window[name] = class extends Original {
      constructor(callback, options) { super(timed(name, callback), options); }
    };
  }
  const listeners = new WeakMap();
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (!listeners.has(listener)) listeners.set(listener, timed(type, listener));
    return add.call(this, type, listeners.get(listener) || listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    return remove.call(this, type, listeners.get(listener) || listener, options);
  };
  const report = (extra) =>
    new Promise((done) => wait(() => done({ ...extra, ...spent }), WINDOW_MS));
  LOAD
})();
</script>""".replace("WINDOW_MS", str(WINDOW_MS))
# The spec's snippet: the script deferred, so it runs before DOMContentLoaded; its evaluation
# is read from the trace.
SCRIPT_TAG = '<script src="/atribu-tracker.js" defer></script>'
BY_TAG = METER.replace(
    "LOAD",
    'window.benchResult = new Promise((done) => add.call(document, "DOMContentLoaded", done))'
    ".then(() => report({}));",
)
# The old measure: fetched, then evaluated on the main thread between two readings.
BY_EVAL = METER.replace(
    "LOAD",
    """window.benchResult = fetch("/atribu-tracker.js").then((r) => r.text()).then((code) => {
    const begun = now();
    (0, eval)(code);
    return report({ evaluate: now() - begun });
  });""",
)
TRACE_CATEGORIES: Final = ["devtools.timeline"]
SCRIPT_PATH: Final = "/atribu-tracker.js"
EVALUATE = "evaluate"


# What the tracker does after it got going, not to get going: observers reporting what the
# visitor saw (CTA impressions, buffered web vitals) and the first batch's send (its 1 s
# delay). Every other kind, including any kind not named here, counts as initialization.
ACTIVITY: Final = (
    "IntersectionObserver",
    "PerformanceObserver",
    "MutationObserver",
    "setTimeout 1000",
)
NAMES: Final = {
    EVALUATE: "evaluate: compile, top level, init",
    "setTimeout 0": "start task: storage, page view",
    "setTimeout 50": "CTA scan",
    "load": "load listener (Pixel wrap)",
    "IntersectionObserver": "CTA impressions (observer)",
    "PerformanceObserver": "web vitals (observer)",
    "setTimeout 1000": "first send (batch timer)",
}


# `--floor`: the same meter on two stand-ins, interleaved visit by visit with the tracker. An
# empty script (what the meter and a deferred script cost by themselves), and one that does
# only the storage the spec asks of any tracker on a first page view: open localStorage, read
# `atribu_anon_id` (absent: fall back to the `atribu_visitor_id` cookie, else a new id), write
# `atribu_anon_id` and `atribu_session_id` there and both cookies, and queue the page view.
EMPTY_SCRIPT: Final = """//# allFunctionsCalledOnLoad
(function () { setTimeout(function () {}, 0); })();"""
STORAGE_ONLY_SCRIPT: Final = """//# allFunctionsCalledOnLoad
(function () {
  setTimeout(function start() {
    var store = window.localStorage;
    var id = store.getItem("atribu_anon_id");
    if (!id) {
      var found = document.cookie.split("; ").find(function (pair) {
        return pair.startsWith("atribu_visitor_id=");
      });
      id = found ? found.slice(18) : crypto.randomUUID();
      store.setItem("atribu_anon_id", id);
    }
    var session = crypto.randomUUID();
    store.setItem("atribu_session_id", session);
    var flags = "; path=/; SameSite=Lax; Secure";
    document.cookie = "atribu_visitor_id=" + id + "; max-age=31536000" + flags;
    document.cookie = "atribu_session_id=" + session + "; max-age=1800" + flags;
    var view = { event: "page_view", url: location.href, ts: Date.now(), anonymous_id: id };
    store.setItem("atribu_queue", JSON.stringify([view]));
  }, 0);
})();"""


@dataclass(frozen=True, slots=True)
class Visit:
    """One page load: main-thread ms per kind of work ("evaluate", "setTimeout 0", …)."""

    parts: Mapping[str, float]

    @property
    def init(self) -> float:
        return sum(ms for kind, ms in self.parts.items() if kind not in ACTIVITY)

    @property
    def total(self) -> float:
        return sum(self.parts.values())


def page_html(*, by_eval: bool = False) -> str:
    items = "".join(
        f'<li><a href="/p/{n}">Page {n}</a> <a class="btn" href="/book/{n}">Book now</a>'
        f"<p>Paragraph {n} with some text to lay out.</p></li>"
        for n in range(80)
    )
    form = (
        '<form id="contact"><input name="name"><input type="email" name="email">'
        '<input type="tel" name="phone"><textarea name="message"></textarea>'
        "<button>Send</button></form>"
    )
    head, tail = (SNIPPET, BY_EVAL) if by_eval else (SNIPPET + BY_TAG + SCRIPT_TAG, "")
    return (
        f"<!doctype html><html><head><title>Bench</title>{head}</head><body>"
        f'<ul>{items}</ul>{form}<video src="/v.mp4"></video>{tail}</body></html>'
    )


def pages(script: str, *, by_eval: bool = False) -> Callable[[Route], None]:
    """Answers the browser's requests: the bench page (the script by tag or by `eval`), the
    script and collect."""

    def answer(route: Route) -> None:
        url = route.request.url
        if url.endswith(SCRIPT_PATH):
            route.fulfill(body=script, content_type="text/javascript")
        elif url.endswith("/api/tracking/collect"):
            route.fulfill(status=202, body='{"accepted": 1}', content_type="application/json")
        elif urlsplit(url).path == "/":  # the bench page, on whichever site it is asked of
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            html = page_html(by_eval=by_eval).replace(ORIGIN, origin)
            route.fulfill(body=html, content_type="text/html")
        else:
            route.fulfill(status=404, body="")

    return answer


def evaluation_ms(trace: bytes, script_url: str) -> float:
    """The script's `EvaluateScript` time on the main thread: the streamed compilation's
    finish, the top level and everything init calls."""
    document = json.loads(trace)
    events = document["traceEvents"] if isinstance(document, dict) else document
    durations = [
        float(event.get("dur", 0)) / 1000
        for event in events
        if event.get("name") == "EvaluateScript"
        and event.get("args", {}).get("data", {}).get("url") == script_url
    ]
    if not durations:  # never a silent zero
        raise RuntimeError(f"the trace has no evaluation of {script_url}")
    return sum(durations)


def visit(browser: Browser, page: Page, origin: str = ORIGIN, *, by_eval: bool = False) -> Visit:
    """One page load, traced (both ways, so both carry the tracing's small overhead)."""
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    try:
        page.goto(f"{origin}/")
        result = page.evaluate("window.benchResult")
    finally:
        trace = browser.stop_tracing()
    parts = {str(kind): float(ms) for kind, ms in result.items()}
    if not by_eval:
        parts[EVALUATE] = evaluation_ms(trace, origin + SCRIPT_PATH)
    return Visit(parts)


@contextmanager
def chromium_browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("Debian's chromium is not installed (make bench installs it)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=chromium,
            headless=True,
            chromium_sandbox=False,
            args=["--no-sandbox", "--disable-background-networking", f"--user-agent={BROWSER_UA}"],
        )
        try:
            yield browser
        finally:
            browser.close()


def measurements(runs: int, script: str) -> Iterator[tuple[Visit, Visit, Visit]]:
    """(first visit, returning visit, first visit evaluated by `eval`), each first visit in a
    fresh browser profile."""
    with chromium_browser() as browser:
        for _ in range(runs):
            context = browser.new_context()
            context.route("**/*", pages(script))
            page = context.new_page()
            first = visit(browser, page)
            again = visit(browser, page)
            context.close()
            context = browser.new_context()
            context.route("**/*", pages(script, by_eval=True))
            yield first, again, visit(browser, context.new_page(), by_eval=True)
            context.close()


def new_site_visits(runs: int, script: str) -> Iterator[Visit]:
    """First visits to sites never seen before, in one browser profile already in use: each
    site is a new origin, so its storage, cookies and compiled script start empty, but the
    browser's own storage service is up (as in a visitor's everyday browser)."""
    with chromium_browser() as browser:
        context = browser.new_context()
        context.route("**/*", pages(script))
        for n in range(runs):
            page = context.new_page()
            yield visit(browser, page, f"https://site{n}.bench.example")
            page.close()
        context.close()


def floor_visits(runs: int, scripts: Mapping[str, str]) -> dict[str, list[Visit]]:
    """First visits, each in a fresh profile, to the same page with each script in turn:
    interleaved, so the machine's load falls on all of them alike."""
    visits: dict[str, list[Visit]] = {name: [] for name in scripts}
    with chromium_browser() as browser:
        for _ in range(runs):
            for name, script in scripts.items():
                context = browser.new_context()
                context.route("**/*", pages(script))
                visits[name].append(visit(browser, context.new_page()))
                context.close()
    return visits


def floor(quick: bool) -> None:
    """The tracker beside what any tracker keeping the spec's ids must spend (`--floor`)."""
    runs = 10 if quick else 40
    scripts = {
        "empty script": EMPTY_SCRIPT,
        "storage only": STORAGE_ONLY_SCRIPT,
        "tracker": current_bundle().script.text,
    }
    visits = floor_visits(runs + 3, scripts)  # the first visits warm the browser up
    for name, mine in visits.items():
        report(f"first visit (fresh profile), {name}", mine[3:])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def spread(values: list[float]) -> str:
    """Median, p95 and minimum: the machine is shared, and preemption only ever adds time."""
    median, p95 = statistics.median(values), percentile(values, 0.95)
    return f"{median:6.2f} {p95:6.2f} {min(values):6.2f}"


def report(label: str, visits: list[Visit]) -> None:
    """Each kind of work, initialization's total beside the target, then everything."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    for one in visits:
        for kind, ms in one.parts.items():
            by_kind[kind].append(ms)
    print(f"  {label}, {len(visits)} runs (ms: median, p95, min; runs with it)")
    setup = sorted((k for k in by_kind if k not in ACTIVITY), key=lambda k: (k != EVALUATE, k))
    for kind in setup:
        print(f"    {NAMES.get(kind, kind):<34} {spread(by_kind[kind])}   {len(by_kind[kind])}")
    init = spread([one.init for one in visits])
    print(f"    {'= initialization':<34} {init}   target <= {TARGET_MS} ms")
    for kind in sorted(k for k in by_kind if k in ACTIVITY):
        print(f"    {NAMES.get(kind, kind):<34} {spread(by_kind[kind])}   {len(by_kind[kind])}")
    print(f"    {'= all tracker work in the window':<34} {spread([one.total for one in visits])}")


def run(quick: bool, large: bool = False) -> list[Result]:  # noqa: ARG001 - one size
    runs, script = 10 if quick else 40, current_bundle().script.text
    figures = list(measurements(runs + 3, script))[3:]  # the first visits warm the browser up
    first = [one for one, _, _ in figures]
    report("first visit (fresh profile)", first)
    report("first visit, the script evaluated by eval (old measure)", [e for _, _, e in figures])
    report("returning visit (same profile, reloaded)", [again for _, again, _ in figures])
    sites = list(new_site_visits(runs + 3, script))[3:]
    report("first visit to a new site, browser in use", sites)
    inits = [one.init for one in first]
    name = "Tracker init (main thread)"
    return [
        Result(
            name, "ms, median of first visits", statistics.median(inits), TARGET_MS, Goal.AT_MOST
        ),
        Result(name, "ms, p95 of first visits", percentile(inits, 0.95), TARGET_MS, Goal.AT_MOST),
    ]


if __name__ == "__main__":
    if "--floor" in sys.argv:
        floor(quick="--quick" in sys.argv)
    else:
        for result in run(quick="--quick" in sys.argv):
            print(result.line())
