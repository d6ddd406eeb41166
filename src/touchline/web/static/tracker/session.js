// Identifiers, first-party storage and cookies, and the browser's session rule.

import { within } from "./url.js";

export const ANON_KEY = "atribu_anon_id";
export const SESSION_KEY = "atribu_session_id";
export const SESSION_STATE_KEY = "atribu_session";
export const USER_KEY = "atribu_user_id";
export const CONSENT_KEY = "atribu_consent";
export const QUEUE_KEY = "atribu_queue";
export const VISITOR_COOKIE = "atribu_visitor_id";
export const SESSION_COOKIE = "atribu_session_id";
const STORED_KEYS = [ANON_KEY, SESSION_KEY, SESSION_STATE_KEY, USER_KEY, QUEUE_KEY];
export const YEAR_SECONDS = 31536000;

// A random (version 4) UUID: crypto.randomUUID where the page is a secure context (https,
// loopback), about half the cost; elsewhere built from crypto.getRandomValues.
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 15) | 64;
  bytes[8] = (bytes[8] & 63) | 128;
  const hex = Array.from(bytes, (byte) => (byte + 256).toString(16).slice(1)).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

// A session timeout setting in minutes: 1–120, 30 when absent or not a positive number.
export function sessionMinutes(value) {
  const minutes = Number(value);
  return minutes > 0 ? Math.min(120, Math.max(1, Math.round(minutes))) : 30;
}

// The session after an event at `now`: a new one after more than `timeoutMs` of inactivity,
// or (splitting on source) when a page view brings a source other than the session's last.
export function nextSession(previous, now, timeoutMs, splitOnSource, source, isView) {
  const changed = splitOnSource && isView && source && previous && previous.views > 0;
  if (!previous || now - previous.last > timeoutMs || (changed && source !== previous.source)) {
    return { id: newId(), last: now, source: isView ? source : "", views: isView ? 1 : 0, isNew: true };
  }
  return {
    id: previous.id,
    last: Math.max(now, previous.last),
    source: (isView && source) || previous.source,
    views: previous.views + (isView ? 1 : 0),
    booked: previous.booked,
    isNew: false,
  };
}

// The `cookieDomain` setting: "" (this host only, the default), "auto", or a domain. The
// default returns before the expression, which costs its compilation on first use (0909).
export function cookieDomainSetting(value) {
  if (!value) return "";
  const text = String(value).trim().toLowerCase().replace(/^\./, "");
  return /^(auto|[a-z0-9-]+(\.[a-z0-9-]+)+)$/.test(text) ? text : "";
}

// The domain the cookies go on, so sibling subdomains (www., app., shop.) share the visitor:
// the setting's domain when `host` is it or under it; for "auto" the widest domain, the host
// itself at most, that `accepts` a cookie (browsers refuse public suffixes such as co.uk);
// "" for this host only.
export function cookieDomainFor(setting, host, accepts) {
  if (!setting || !host.includes(".") || /^[\d.]+$|:/.test(host)) return "";
  if (setting !== "auto") return within(host, setting) ? setting : "";
  const labels = host.split(".");
  for (let i = labels.length - 2; i >= 0; i--) {
    const candidate = labels.slice(i).join(".");
    if (accepts(candidate)) return candidate;
  }
  return "";
}

// localStorage and cookies, or memory alone while `persistent` is off (strict consent).
// `cookieDomain` is the setting; "auto" is resolved by a probe cookie once storage may write.
export function createStorage(win, persistent, cookieDomain) {
  const memory = {};
  const secure = win.location.protocol === "https:" ? "; Secure" : "";
  const host = win.location.hostname;
  const write = (name, value, maxAgeSeconds, domain) => {
    const scope = domain ? "; domain=" + domain : "";
    win.document.cookie = name + "=" + value + "; path=/; max-age=" + maxAgeSeconds + "; SameSite=Lax" + scope + secure;
  };
  const accepts = (domain) => {
    write("atribu_probe", "1", 10, domain);
    const taken = storage.readCookie("atribu_probe") === "1";
    write("atribu_probe", "", 0, domain);
    return taken;
  };
  const resolveDomain = () => {
    if (cookieDomain === "auto" && !storage.persistent) return "";
    return cookieDomainFor(cookieDomain, host, accepts);
  };
  const storage = {
    persistent,
    // The parent domain the cookies are shared on ("" for this host only).
    siteDomain: "",
    get(key) {
      if (storage.persistent) {
        try {
          const value = win.localStorage.getItem(key);
          if (value !== null) return value;
        } catch {}
      }
      return key in memory ? memory[key] : null;
    },
    set(key, value) {
      memory[key] = value;
      if (!storage.persistent) return;
      try {
        win.localStorage.setItem(key, value);
      } catch {}
    },
    remove(key) {
      delete memory[key];
      try {
        win.localStorage.removeItem(key);
      } catch {}
    },
    cookie(name, value, maxAgeSeconds) {
      if (!storage.persistent && maxAgeSeconds > 0) return;
      write(name, encodeURIComponent(value), maxAgeSeconds, storage.siteDomain);
      // Forgetting also removes a copy this host kept from before the domain was set.
      if (maxAgeSeconds === 0 && storage.siteDomain) write(name, "", 0, "");
    },
    readCookie(name) {
      const found = win.document.cookie.split("; ").find((pair) => pair.startsWith(name + "="));
      return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
    },
    // Start writing: what memory holds goes to localStorage (consent was granted).
    persist() {
      storage.persistent = true;
      storage.siteDomain = resolveDomain();
      for (const key in memory) {
        if (memory[key] !== null) storage.set(key, memory[key]);
      }
    },
    // Forget the visitor: storage, cookies and memory (reset(), or consent denied).
    clear() {
      for (const key of STORED_KEYS) storage.remove(key);
      storage.cookie(VISITOR_COOKIE, "", 0);
      storage.cookie(SESSION_COOKIE, "", 0);
    },
  };
  if (cookieDomain) storage.siteDomain = resolveDomain();
  return storage;
}

// An absent key (a first visit, an empty retry queue) is not parsed.
export function readJson(storage, key) {
  const text = storage.get(key);
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// The visitor's anonymous id: localStorage, else the cookie (set by another tab, the server,
// or a sibling subdomain when the cookies are on a parent domain),
// else a new one. The cookie's year is renewed on every page load.
export function anonymousId(storage) {
  const id = storage.get(ANON_KEY) || storage.readCookie(VISITOR_COOKIE) || newId();
  storage.set(ANON_KEY, id);
  storage.cookie(VISITOR_COOKIE, id, YEAR_SECONDS);
  return id;
}
