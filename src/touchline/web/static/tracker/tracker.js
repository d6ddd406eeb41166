// The tracker: configuration with the spec's defaults and ranges, the client's methods, the
// session kept on every event, consent gating, and the auto-captures it installs.

import { collectUrl, pathOf, pathPattern, sourceOf } from "./url.js";
import { consentDecision, identityOf, kindOf, payloadOf } from "./events.js";
import {
  CONSENT_KEY,
  SESSION_COOKIE,
  SESSION_KEY,
  SESSION_STATE_KEY,
  USER_KEY,
  anonymousId,
  cookieDomainSetting,
  createStorage,
  newId,
  nextSession,
  readJson,
  sessionMinutes,
} from "./session.js";
import { createSender } from "./delivery.js";
import {
  captureBookings,
  captureErrors,
  captureFormAbandonment,
  captureForms,
  captureGhlForms,
  captureLinks,
  captureNavigation,
  captureStripeReturn,
  interceptFbq,
} from "./capture.js";
import {
  captureClicks,
  captureCtas,
  captureEngagement,
  captureVideo,
  captureVitals,
  captureWistia,
  watchImpression,
} from "./signals.js";

export const VERSION = "__TRACKER_VERSION__";
export const METHODS = [
  "track",
  "trackRevenue",
  "trackSelfDescribing",
  "identify",
  "page",
  "setUserId",
  "observeImpression",
  "setConsent",
  "flush",
  "reset",
  "getAnonymousId",
  "getSessionId",
];
const SESSION_MODES = ["inactivity_only", "inactivity_or_source_change"];
const CONSENT_MODES = ["none", "required", "strict"];
const MAX_HELD = 100;
// Crawlers that run JavaScript are not tracked; AI agents are (the server tags them). Plain
// substrings of the lower-cased user agent, checked with `includes`: no regular expression to
// compile on the init path (`bot` must end a word: "Googlebot/2.1" but not "robotics").
const BOT = /bot\b/;
const BOTS = ["crawl", "spider", "slurp", "headless", "lighthouse", "pingdom", "prerender", "phantomjs", "puppeteer", "selenium"];
const AI_AGENTS = ["chatgpt", "gptbot", "oai-searchbot", "claude", "anthropic", "perplexity", "google-extended", "bytespider", "ccbot", "meta-external", "cohere", "mistralai", "duckassist", "youbot", "amazonbot", "diffbot"];

function flag(value, fallback) {
  if (value === undefined || value === null) return fallback;
  return value !== false && value !== "false" && value !== 0 && value !== "0";
}

export function isBot(userAgent) {
  const agent = String(userAgent).toLowerCase();
  const named = (word) => agent.includes(word);
  return (BOTS.some(named) || (agent.includes("bot") && BOT.test(agent))) && !AI_AGENTS.some(named);
}

// init() options (or the ATRIBU_* globals) with the spec's defaults; out-of-range numbers are
// brought into range, unknown modes fall back to the default.
export function readConfig(options, defaultHost) {
  const given = options || {};
  const beat = given.heartbeatIntervalSeconds === false ? 0 : Number(given.heartbeatIntervalSeconds ?? 60);
  return {
    trackingKey: String(given.trackingKey || ""),
    endpoint: String(given.trackingEndpoint || collectUrl(given.apiHost || defaultHost)),
    interceptMetaFbq: flag(given.interceptMetaFbq, true),
    metaBridgePageview: flag(given.metaBridgePageview, false),
    sessionTimeoutMinutes: sessionMinutes(given.sessionTimeoutMinutes),
    sessionMode: SESSION_MODES.includes(given.sessionMode) ? given.sessionMode : SESSION_MODES[0],
    heartbeatIntervalSeconds: beat > 0 ? Math.max(5, beat) : 0,
    enableClickQuality: flag(given.enableClickQuality, true),
    enableWebVitals: flag(given.enableWebVitals, true),
    enableCtaTracking: flag(given.enableCtaTracking, true),
    enableVideoTracking: flag(given.enableVideoTracking, true),
    ignoredPages: (Array.isArray(given.ignoredPages) ? given.ignoredPages : []).map(pathPattern),
    customProperties: given.customProperties || null,
    transformRequest: typeof given.transformRequest === "function" ? given.transformRequest : null,
    bookingPatterns: Array.isArray(given.bookingPatterns) ? given.bookingPatterns : [],
    consentMode: CONSENT_MODES.includes(given.consentMode) ? given.consentMode : CONSENT_MODES[0],
    cookieDomain: cookieDomainSetting(given.cookieDomain),
  };
}

// A client whose methods do nothing (no window, no tracking key, a crawler).
export function noopClient() {
  const client = {};
  for (const method of METHODS) client[method] = method === "observeImpression" ? () => () => {} : () => {};
  return client;
}

function attempt(run, fallback) {
  try {
    return run();
  } catch {
    return fallback;
  }
}

export function createTracker(win, config) {
  if (!config.trackingKey || isBot(win.navigator.userAgent || "")) return noopClient();
  const strict = config.consentMode === "strict";
  const timeoutMs = config.sessionTimeoutMinutes * 60000;
  const splitOnSource = config.sessionMode === "inactivity_or_source_change";
  let consent = null;
  let storage = null;
  let sender = null;
  let userId = "";
  let held = [];
  let cookieWritten = 0;
  let started = false;
  const t = {
    win,
    doc: win.document,
    config,
    page: { url: "", referrer: "", started: 0 },
    anonymousId: "",
    replaceState: win.history.replaceState.bind(win.history),
    onPage: [],
    afterView: [],
    onLeave: [],
    observers: new Set(),
  };

  function sessionAt(now, isView, source) {
    const previous = readJson(storage, SESSION_STATE_KEY) || sharedSession(now);
    return nextSession(previous, now, timeoutMs, splitOnSource, source, isView);
  }
  // With cookies on a parent domain, a visitor arriving from a sibling subdomain has no session
  // state on this origin yet: the session cookie (it lasts the timeout, renewed while the
  // session goes on) carries the session over. Its source is unknown here: a page view that
  // brings one starts a new session in the source-change mode.
  function sharedSession(now) {
    const id = storage.siteDomain ? storage.readCookie(SESSION_COOKIE) : "";
    return id ? { id, last: now, source: "", views: 1 } : null;
  }
  function touchSession(now, isView, source, booked) {
    const next = sessionAt(now, isView, source);
    if (storage.get(SESSION_KEY) !== next.id) storage.set(SESSION_KEY, next.id);
    const state = { id: next.id, last: next.last, source: next.source, views: next.views, booked: booked || next.booked };
    storage.set(SESSION_STATE_KEY, JSON.stringify(state));
    if (next.isNew || now - cookieWritten > 60000) {
      storage.cookie(SESSION_COOKIE, next.id, config.sessionTimeoutMinutes * 60);
      cookieWritten = now;
    }
    return next;
  }
  function allowed(kind) {
    return consentDecision(config.consentMode, consent, kind);
  }
  function deliver(event) {
    const decision = allowed(kindOf(event));
    if (decision === "send") sender.enqueue(event);
    else if (decision === "hold" && held.length < MAX_HELD) held.push(event);
  }
  // Storage and cookies cost the main thread a synchronous round trip to the browser process
  // each the first time: they are opened after init, in a task of their own (or by the first
  // event, whichever comes first), which also sends the landing page view.
  function start() {
    if (started) return;
    started = true;
    consent = attempt(() => JSON.parse(win.localStorage.getItem(CONSENT_KEY)), null);
    storage = createStorage(win, !strict || Boolean(consent && consent.analytics === true), config.cookieDomain);
    sender = createSender(win, config, storage, t.fetch);
    userId = storage.get(USER_KEY) || "";
    t.anonymousId = anonymousId(storage);
    t.navigate(false, true);
  }
  // The path of the page an event is about: the one being left, for a report sent after an
  // SPA navigation changed the address.
  function pathOfPage(url) {
    return url === win.location.href ? win.location.pathname : pathOf(url);
  }
  function ignored(path) {
    return config.ignoredPages.some((pattern) => pattern.test(path));
  }
  t.emit = function emit(type, name, fields) {
    start();
    const url = fields.url || win.location.href;
    const path = pathOfPage(url);
    if (ignored(path)) return;
    const now = Date.now();
    const isView = type === "page_view";
    const source = isView ? sourceOf(url, t.page.referrer, storage.siteDomain) : "";
    let event = {
      event_id: newId(),
      type,
      name,
      timestamp: now,
      anonymous_id: t.anonymousId,
      session_id: touchSession(now, isView, source).id,
      url,
      referrer: t.page.referrer,
      ...fields,
    };
    const custom = config.customProperties;
    const context = { path, url, type, name };
    const props = typeof custom === "function" ? attempt(() => custom(context), null) : custom;
    if (props || event.payload) event.payload = { ...props, ...event.payload };
    if (userId && allowed("identifying") === "send") event.user_id = userId;
    if (consent) event.consent = consent;
    if (config.transformRequest) {
      event.payload = event.payload || {};
      event.path = path;
      event = attempt(() => config.transformRequest(event), event);
      if (!event) return;
      delete event.path;
    }
    deliver(event);
  };
  t.track = (name, payload) => t.emit("track", name, { payload });
  t.identify = (input) => {
    start();
    const identity = identityOf(input);
    if (identity.user_id) setUser(identity.user_id);
    if (Object.keys(identity).length) t.emit("identify", "identify", { identity });
  };
  // Only the first booking of a session counts. The mark goes on the session the booking's
  // events are sent in: the stored one, or the one that follows it after the timeout.
  t.bookedOnce = () => {
    start();
    if (ignored(win.location.pathname)) return false;
    const now = Date.now();
    if (sessionAt(now, false, "").booked) return false;
    touchSession(now, false, "", true);
    return true;
  };
  function leave() {
    for (const hook of t.onLeave) attempt(hook);
  }
  // The page view's referrer, never an ignored page of this site: after an SPA navigation the
  // last page not ignored (the ignored page's own referrer), after a load from one nothing.
  function referrerOf(spa) {
    const previous = spa ? t.page.url : t.doc.referrer;
    if (!config.ignoredPages.length || !previous.startsWith(win.location.origin + "/")) return previous;
    if (!ignored(pathOf(previous))) return previous;
    return spa ? t.page.referrer : "";
  }
  // A page view: on load, on SPA navigation (`spa`: the referrer is the previous page), or
  // page() (`force`: even when the URL did not change).
  t.navigate = (spa, force) => {
    const url = win.location.href;
    if (spa && !force && url === t.page.url) return;
    if (t.page.url) leave();
    t.page = { url, referrer: referrerOf(spa), started: Date.now() };
    for (const hook of t.onPage) attempt(hook);
    const payload = spa ? { navigation: "spa" } : undefined;
    t.emit("page_view", "page_view", { title: t.doc.title, payload });
    for (const hook of t.afterView) attempt(hook);
  };
  function setUser(id) {
    userId = String(id).slice(0, 128);
    storage.set(USER_KEY, userId);
  }

  const client = {
    track: (name, props) => t.track(String(name), payloadOf(props)),
    trackRevenue: (name, amount, currency, data) =>
      t.emit("revenue", String(name), {
        revenue: { amount: Number(amount), currency: String(currency || "").toUpperCase() },
        payload: payloadOf(data),
      }),
    trackSelfDescribing: (input) => {
      const given = input || {};
      const payload = { schema_version: Number(given.schemaVersion) || 1, data: given.payload || {} };
      t.emit("self_describing", String(given.eventSchema || "self_describing"), { payload });
    },
    identify: (input) => t.identify(input),
    page: () => t.navigate(true, true),
    setUserId: (id) => t.identify({ userId: id }),
    observeImpression: (target, payload, options) => watchImpression(t, target, payloadOf(payload), options),
    setConsent: (input) => {
      start();
      const given = input || {};
      consent = { ...consent };
      for (const purpose of ["analytics", "marketing"]) {
        if (typeof given[purpose] === "boolean") consent[purpose] = given[purpose];
      }
      if (strict && consent.analytics === true) {
        storage.persist();
        t.anonymousId = anonymousId(storage);
        cookieWritten = 0;
      } else if (strict) {
        storage.clear();
        storage.persistent = false;
      }
      if (!strict || consent.analytics === true) storage.set(CONSENT_KEY, JSON.stringify(consent));
      t.emit("consent", "consent", { consent });
      const waiting = held;
      held = [];
      for (const event of waiting) deliver({ ...event, consent });
    },
    flush: () => {
      start();
      sender.flush();
    },
    reset: () => {
      start();
      // Events already captured still go out, under the ids they were captured with.
      storage.clear();
      userId = "";
      held = [];
      t.anonymousId = anonymousId(storage);
    },
    getAnonymousId: () => {
      start();
      return t.anonymousId;
    },
    getSessionId: () => {
      start();
      return storage.get(SESSION_KEY) || "";
    },
  };

  captureNavigation(t);
  captureEngagement(t);
  captureStripeReturn(t);
  captureBookings(t);
  captureForms(t);
  captureFormAbandonment(t);
  captureGhlForms(t);
  captureLinks(t);
  captureErrors(t);
  if (config.interceptMetaFbq) interceptFbq(t);
  if (config.enableClickQuality) captureClicks(t);
  if (config.enableWebVitals) captureVitals(t);
  if (config.enableCtaTracking) captureCtas(t);
  if (config.enableVideoTracking) {
    captureVideo(t);
    captureWistia(t);
  }
  // Leaving fires pagehide and visibilitychange (hidden) in either order: the page's reports
  // go once, and again only after it was shown again (a tab brought back, a page restored).
  let away = false;
  const hidden = () => {
    start();
    if (!away) leave();
    away = true;
    sender.beacon();
  };
  win.addEventListener("pagehide", hidden);
  win.addEventListener("pageshow", () => (away = false));
  win.addEventListener("visibilitychange", () =>
    t.doc.visibilityState === "hidden" ? hidden() : (away = false),
  );
  win.setTimeout(start, 0);
  return client;
}
