// Engagement signals: engaged time, scroll depth and heartbeats; rage and dead clicks; Core
// Web Vitals; CTA visibility; video milestones; element impressions. Nothing here reads
// layout at init: scroll depth is read on scroll (throttled) and when the page is left.

const SCROLL_MILESTONES = [25, 50, 75, 90];
const VIDEO_MILESTONES = [25, 50, 75, 100];
// The container of Wistia's standard embed, where its player puts a <video>.
const WISTIA_EMBED = ".wistia_embed";
// Engaged time stops this long after the last input while the page is visible.
const IDLE_MS = 30000;
const INPUTS = ["pointerdown", "pointermove", "keydown", "touchstart", "wheel"];
const RAGE_CLICKS = 3;
const RAGE_WINDOW_MS = 1000;
const RAGE_RADIUS_PX = 30;
const DEAD_CLICK_MS = 1000;
const CLICKABLE = "a[href],button,[role=button],[onclick],input[type=submit],input[type=button]";
const MAX_CTAS = 20;
// A link is a CTA only by its class or data-atribu-cta (isCta): links whose class cannot match
// are left out here, so the scan never touches a page's plain links (the first touch of an
// element builds its JavaScript wrapper).
export const CTA_CANDIDATES =
  "a[href][class*=btn i],a[href][class*=button i],a[href][class*=cta i],button,[role=button],input[type=submit],[data-atribu-cta]";
// Matched against lower-cased text: case-insensitive patterns cost far more to compile.
const CTA_TEXT = /\b(book|buy|order|shop|get started|sign ?up|register|subscribe|contact|call|schedule|start|try|demo|quote|join|reserve|apply|checkout|add to cart)\b/;
const CTA_CLASS = /\b(btn|button|cta)\b/;

export function describe(element) {
  if (!element || !element.tagName) return "";
  const tag = element.tagName.toLowerCase();
  if (element.id) return tag + "#" + element.id;
  const first = typeof element.className === "string" && element.className.trim().split(/\s+/)[0];
  return first ? tag + "." + first : tag;
}

// textContent, not innerText: it never forces a layout.
function textOf(element) {
  return (element.textContent || element.value || "").replace(/\s+/g, " ").trim().slice(0, 80);
}

export function captureEngagement(t) {
  const { win, doc } = t;
  let engaged = 0;
  let reported = 0;
  let mark = 0;
  let lastInput = 0;
  let shown = true;
  let maxScroll = 0;
  let milestones = [];
  let scrollTimer = 0;
  const accrue = (now) => {
    if (shown) engaged += Math.max(0, Math.min(now, lastInput + IDLE_MS) - mark);
    mark = now;
  };
  const input = () => {
    const now = Date.now();
    if (now - lastInput < 1000) return;
    accrue(now);
    lastInput = now;
  };
  const measure = (announce) => {
    const height = doc.documentElement.scrollHeight;
    const percent = height ? Math.min(100, Math.round(((win.scrollY + win.innerHeight) / height) * 100)) : 100;
    maxScroll = Math.max(maxScroll, percent);
    for (const milestone of SCROLL_MILESTONES) {
      if (!announce || maxScroll < milestone || milestones.includes(milestone)) continue;
      milestones.push(milestone);
      t.emit("engagement", "scroll_depth", { payload: { percent: milestone } });
    }
  };
  // Engaged time since the last report, as a delta (docs/decisions/0601).
  const report = (name, extra, minimum) => {
    accrue(Date.now());
    const delta = Math.round(engaged - reported);
    if (delta < minimum) return;
    reported += delta;
    t.emit("engagement", name, { url: t.page.url, payload: { engaged_ms: delta, ...extra } });
  };
  t.onPage.push(() => {
    engaged = reported = maxScroll = 0;
    milestones = [];
    mark = lastInput = Date.now();
    shown = doc.visibilityState !== "hidden";
  });
  t.onLeave.push(() => {
    measure(false);
    const extra = { max_scroll_percent: maxScroll, time_on_page_ms: Date.now() - t.page.started };
    report("page_engagement", extra, 1);
  });
  const onScroll = () => {
    input();
    if (!scrollTimer) {
      scrollTimer = win.setTimeout(() => {
        scrollTimer = 0;
        measure(true);
      }, 200);
    }
  };
  win.addEventListener("scroll", onScroll, { passive: true });
  for (const type of INPUTS) win.addEventListener(type, input, { passive: true, capture: true });
  doc.addEventListener("visibilitychange", () => {
    const now = Date.now();
    accrue(now);
    shown = doc.visibilityState !== "hidden";
    if (shown) lastInput = now;
  });
  const seconds = t.config.heartbeatIntervalSeconds;
  if (seconds) win.setInterval(() => shown && report("heartbeat", {}, 1000), seconds * 1000);
}

function watchDeadClick(t, target) {
  const element = target && target.closest && target.closest(CLICKABLE);
  if (!element || element.hasAttribute("download")) return;
  const { win, doc } = t;
  const before = win.location.href;
  const scrollY = win.scrollY;
  let changed = false;
  const observer = new win.MutationObserver(() => {
    changed = true;
  });
  observer.observe(doc.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  win.setTimeout(() => {
    observer.disconnect();
    const moved = win.location.href !== before || win.scrollY !== scrollY;
    if (changed || moved || doc.visibilityState === "hidden") return;
    t.emit("engagement", "dead_click", { payload: { selector: describe(element), text: textOf(element) } });
  }, DEAD_CLICK_MS);
}

// Rage clicks: 3 clicks within a second and 30 px; dead clicks: a click on something
// clickable after which nothing changed for a second (no DOM change, navigation or scroll).
export function captureClicks(t) {
  let burst = [];
  const onClick = (event) => {
    const now = Date.now();
    const first = burst[0];
    const near =
      first &&
      now - first.time < RAGE_WINDOW_MS &&
      Math.abs(event.clientX - first.x) < RAGE_RADIUS_PX &&
      Math.abs(event.clientY - first.y) < RAGE_RADIUS_PX;
    burst = near ? burst.concat({ time: now }) : [{ time: now, x: event.clientX, y: event.clientY }];
    if (burst.length === RAGE_CLICKS) {
      const payload = { selector: describe(event.target), clicks: RAGE_CLICKS };
      t.emit("engagement", "rage_click", { payload });
    }
    if (burst.length === 1) watchDeadClick(t, event.target);
  };
  t.doc.addEventListener("click", onClick, true);
}

// LCP, FCP, CLS (largest session window), INP (slowest interaction) and TTFB, sent once when
// the first page is left. CLS is 0 where the browser reports layout shifts and none happened;
// INP needs an interaction, so a page left untouched has none (as web-vitals reports it).
export function captureVitals(t) {
  const { win } = t;
  const vitals = {};
  const observe = (type, each, options) => {
    try {
      const observer = new win.PerformanceObserver((list) => list.getEntries().forEach(each));
      observer.observe({ type, buffered: true, ...options });
      return observer;
    } catch {
      return null;
    }
  };
  observe("paint", (entry) => {
    if (entry.name === "first-contentful-paint") vitals.fcp = entry.startTime;
  });
  observe("largest-contentful-paint", (entry) => {
    vitals.lcp = entry.startTime;
  });
  let shift = { value: 0, start: 0, last: 0 };
  observe("layout-shift", (entry) => {
    if (entry.hadRecentInput) return;
    if (entry.startTime - shift.last > 1000 || entry.startTime - shift.start > 5000) {
      shift = { value: 0, start: entry.startTime, last: 0 };
    }
    shift.value += entry.value;
    shift.last = entry.startTime;
    vitals.cls = Math.max(vitals.cls || 0, shift.value);
  });
  const interaction = (entry) => {
    if (entry.interactionId) vitals.inp = Math.max(vitals.inp || 0, entry.duration);
  };
  const events = observe("event", interaction, { durationThreshold: 16 });
  // The first input is reported however short it was: any interaction gives an INP.
  if (events) events.observe({ type: "first-input", buffered: true });
  let sent = false;
  t.onLeave.push(() => {
    const navigation = win.performance.getEntriesByType("navigation")[0];
    if (navigation && navigation.responseStart > 0) vitals.ttfb = navigation.responseStart;
    const types = win.PerformanceObserver && win.PerformanceObserver.supportedEntryTypes;
    if (vitals.cls === undefined && types && types.includes("layout-shift")) vitals.cls = 0;
    const payload = {};
    for (const key in vitals) payload[key] = key === "cls" ? Math.round(vitals[key] * 10000) / 10000 : Math.round(vitals[key]);
    if (sent || !Object.keys(payload).length) return;
    sent = true;
    t.emit("engagement", "web_vitals", { url: t.page.url, payload });
  });
}

export function isCta(element) {
  const classes = typeof element.className === "string" ? element.className.toLowerCase() : "";
  if (element.hasAttribute("data-atribu-cta") || CTA_CLASS.test(classes)) return true;
  return element.tagName !== "A" && CTA_TEXT.test(textOf(element).toLowerCase());
}

// Calls to action (buttons that say "Book", links styled as buttons, [data-atribu-cta]):
// `cta_visible` once per page view, when half of one is on screen. Scanned after the page
// view, off the init path.
export function captureCtas(t) {
  const { win } = t;
  if (!win.IntersectionObserver) return;
  let observer = null;
  const scan = () => {
    if (observer) observer.disconnect();
    observer = new win.IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          observer.unobserve(entry.target);
          const element = entry.target;
          const payload = { selector: describe(element), text: textOf(element), href: element.href || "" };
          t.emit("engagement", "cta_visible", { payload });
        }
      },
      { threshold: 0.5 },
    );
    // The first MAX_CTAS in document order; the rest of the page is not looked at.
    let watched = 0;
    for (const element of t.doc.querySelectorAll(CTA_CANDIDATES)) {
      if (watched === MAX_CTAS) break;
      if (!isCta(element)) continue;
      observer.observe(element);
      watched += 1;
    }
  };
  t.afterView.push(() => win.setTimeout(scan, 50));
}

// What every player reports: `video_play` once per video, and each milestone it passed once.
function videoPlayed(t, seen, base) {
  if (seen.played) return;
  seen.played = true;
  t.emit("engagement", "video_play", { payload: base });
}
function videoReached(t, seen, base, percent) {
  for (const milestone of VIDEO_MILESTONES) {
    if (percent < milestone || seen.done.includes(milestone)) continue;
    seen.done.push(milestone);
    t.emit("engagement", "video_progress", { payload: { ...base, percent: milestone } });
  }
}

// <video> elements (native, and players built on one such as Video.js): `video_play` once,
// `video_pause`, and `video_progress` at 25/50/75/100 %. Media events do not bubble, so the
// listeners capture them at the document. Wistia's own <video> is left to captureWistia.
export function captureVideo(t) {
  const state = new WeakMap();
  const onMedia = (event) => {
    const video = event.target;
    if (!video || video.tagName !== "VIDEO") return;
    const seen = state.get(video) || { played: false, done: [], wistia: Boolean(video.closest(WISTIA_EMBED)) };
    state.set(video, seen);
    if (seen.wistia) return;
    const source = video.currentSrc || "";
    const base = { video: video.id || source.split("/").pop() || "video", provider: "native" };
    const duration = video.duration;
    const percent = event.type === "ended" ? 100 : duration > 0 && duration !== Infinity ? Math.floor((video.currentTime / duration) * 100) : 0;
    if (event.type === "play") videoPlayed(t, seen, base);
    if (event.type === "pause" && !video.ended) t.emit("engagement", "video_pause", { payload: { ...base, percent } });
    videoReached(t, seen, base, percent);
  };
  for (const type of ["play", "pause", "timeupdate", "ended"]) t.doc.addEventListener(type, onMedia, true);
}

// Wistia's players, through the queue its script reads when it loads, window._wq (its
// documented Player API; nothing is loaded here): the events of captureVideo, with `provider:
// "wistia"` and the video's hashed id. Milestones follow Wistia's percent watched (the share of
// the video seen); the end is 100 %; a pause reports where the video stopped.
export function captureWistia(t) {
  const onReady = (player) => {
    const base = { video: String(player.hashedId() || player.name() || "video"), provider: "wistia" };
    const seen = { played: false, done: [] };
    player.bind("play", () => videoPlayed(t, seen, base));
    player.bind("pause", () => {
      if (player.state() === "ended") return;
      const duration = player.duration();
      const percent = duration > 0 ? Math.floor((player.time() / duration) * 100) : 0;
      t.emit("engagement", "video_pause", { payload: { ...base, percent } });
    });
    player.bind("percentwatchedchanged", (watched) => videoReached(t, seen, base, watched * 100));
    player.bind("end", () => videoReached(t, seen, base, 100));
  };
  const queue = (t.win._wq = t.win._wq || []);
  queue.push({ id: "_all", onReady });
}

// observeImpression(): an `impression` once, when at least `threshold` (default half) of the
// element is visible; the returned function stops observing.
export function watchImpression(t, target, payload, options) {
  const { win } = t;
  const element = typeof target === "string" ? t.doc.querySelector(target) : target;
  if (!element || !win.IntersectionObserver) return () => {};
  const wanted = options && Number(options.threshold);
  const threshold = wanted > 0 && wanted <= 1 ? wanted : 0.5;
  const stop = () => {
    observer.disconnect();
    t.observers.delete(observer);
  };
  const observer = new win.IntersectionObserver(
    (entries) => {
      if (!entries.some((entry) => entry.isIntersecting && entry.intersectionRatio >= threshold - 0.001)) return;
      stop();
      const name = typeof target === "string" ? target : describe(element);
      t.emit("impression", "impression", { payload: { element: name, ...payload } });
    },
    { threshold },
  );
  // Held until it fires or is stopped: an observer nothing refers to may be collected.
  t.observers.add(observer);
  observer.observe(element);
  return stop;
}
