// The ES module entry (/tracker.mjs), the @atribu/tracker API: named exports, and a silent
// no-op client wherever `window` is absent (server-side rendering).

import { VERSION, createTracker, noopClient, readConfig } from "./tracker.js";

const browser = typeof window !== "undefined" && typeof document !== "undefined";
const early = [];
let active = null;

export function init(options) {
  if (!browser) return noopClient();
  if (!active) {
    // The npm package's apiHost defaults to the page's own origin (CHECKLIST §9 #46).
    active = createTracker(window, readConfig(options, window.location.origin));
    for (const [method, args] of early.splice(0)) active[method](...args);
  }
  return active;
}

// Calls made in the browser before init() run once it has; on the server they do nothing.
function call(method) {
  return (...args) => {
    if (active) return active[method](...args);
    if (browser && early.length < 100) early.push([method, args]);
    return method === "observeImpression" ? () => {} : undefined;
  };
}

export const track = call("track");
export const trackRevenue = call("trackRevenue");
export const trackSelfDescribing = call("trackSelfDescribing");
export const identify = call("identify");
export const page = call("page");
export const setUserId = call("setUserId");
export const observeImpression = call("observeImpression");
export const setConsent = call("setConsent");
export const flush = call("flush");
export const reset = call("reset");
export const getAnonymousId = call("getAnonymousId");
export const getSessionId = call("getSessionId");
export { VERSION };
