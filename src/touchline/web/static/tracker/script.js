// The script-tag entry (/atribu-tracker.js): reads the snippet's window.ATRIBU_* globals,
// replaces the queue stub with the client and replays the calls queued before it loaded.

import { METHODS, VERSION, createTracker, readConfig } from "./tracker.js";

// init() option → the global that sets it (ATRIBU_ + this).
const GLOBALS = {
  trackingKey: "TRACKING_KEY",
  trackingEndpoint: "TRACKING_ENDPOINT",
  apiHost: "API_HOST",
  interceptMetaFbq: "INTERCEPT_FBQ",
  metaBridgePageview: "META_BRIDGE_PAGEVIEW",
  sessionTimeoutMinutes: "SESSION_TIMEOUT_MINUTES",
  sessionMode: "SESSION_MODE",
  heartbeatIntervalSeconds: "HEARTBEAT_INTERVAL_SECONDS",
  enableClickQuality: "ENABLE_CLICK_QUALITY",
  enableWebVitals: "ENABLE_WEB_VITALS",
  enableCtaTracking: "ENABLE_CTA_TRACKING",
  enableVideoTracking: "ENABLE_VIDEO_TRACKING",
  ignoredPages: "IGNORED_PAGES",
  customProperties: "CUSTOM_PROPERTIES",
  transformRequest: "TRANSFORM_REQUEST",
  bookingPatterns: "BOOKING_PATTERNS",
  consentMode: "CONSENT_MODE",
  cookieDomain: "COOKIE_DOMAIN",
};

function boot(win) {
  const stub = win.atribuTracker;
  if (stub && stub.version) return;
  const queued = (stub && stub.q) || [];
  const options = {};
  for (const option in GLOBALS) {
    const value = win["ATRIBU_" + GLOBALS[option]];
    if (value !== undefined) options[option] = value;
  }
  // The collect endpoint defaults to this script's own origin.
  const script = win.document.currentScript;
  const origin = script && script.src ? new URL(script.src).origin : win.location.origin;
  let client = null;
  const waiting = [];
  const api = function (method, ...args) {
    if (method === "init") {
      client = client || createTracker(win, readConfig({ ...options, ...args[0] }, origin));
      for (const [name, rest] of waiting.splice(0)) client[name](...rest);
      return client;
    }
    if (!METHODS.includes(method)) return undefined;
    if (client) return client[method](...args);
    waiting.push([method, args]);
    return method === "observeImpression" ? () => {} : undefined;
  };
  for (const method of ["init", ...METHODS]) api[method] = (...args) => api(method, ...args);
  api.version = VERSION;
  win.atribuTracker = api;
  if (options.trackingKey) api("init", {});
  for (const call of queued) api(...call);
}

boot(window);
