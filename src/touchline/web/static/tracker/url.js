// Pure URL rules: campaign parameters, marketing sources, links, ignored pages, Stripe returns.

export const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"];
// The server's order (docs/decisions/0202): the first one present wins.
export const CLICK_ID_KEYS = ["gclid", "msclkid", "ttclid", "fbclid"];
export const STRIPE_KEYS = ["session_id", "checkout_session", "checkout_session_id"];
// Returning from a payment page is never a new marketing source (docs/decisions/0203).
const PAYMENT_HOSTS = /(^|\.)(stripe\.com|paypal\.com|mercadopago\.[a-z.]+|mercadolibre\.[a-z.]+)$/;
export const DOWNLOAD_PATH = new RegExp(
  "\\.(pdf|zip|rar|7z|gz|tgz|tar|dmg|exe|msi|pkg|apk|docx?|xlsx?|pptx?|csv|txt|rtf|odt|ods|" +
    "epub|mp3|wav|mp4|mov|avi|ics)$",
  "i",
);

export function hostOf(url) {
  // No referrer is the common case: no URL to parse (and no exception to throw).
  if (!url) return "";
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return "";
  }
}

// Whether `host` is `domain` or one of its subdomains (false for no domain).
export function within(host, domain) {
  return Boolean(domain) && (host === domain || host.endsWith("." + domain));
}

export function campaignOf(url) {
  const found = {};
  if (!url.includes("?")) return found;
  const params = new URL(url).searchParams;
  for (const key of UTM_KEYS) {
    if (params.get(key)) found[key] = params.get(key);
  }
  const clickKey = CLICK_ID_KEYS.find((key) => params.get(key));
  if (clickKey) {
    found.click_id_type = clickKey;
    found.click_id = params.get(clickKey);
  }
  return found;
}

// The marketing source a page view brings, as the server's sessions read it (0401): its click
// id, else its UTM set, else an external referrer; "" for direct and internal views (the same
// host, or under `siteDomain`, the parent domain the tracker's cookies are shared on).
export function sourceOf(url, referrer, siteDomain) {
  const campaign = campaignOf(url);
  if (campaign.click_id) return "c:" + campaign.click_id_type + ":" + campaign.click_id;
  const utms = UTM_KEYS.map((key) => campaign[key] || "");
  if (utms.join("")) return "u:" + utms.join("|");
  const host = hostOf(referrer);
  if (!host || host === hostOf(url) || PAYMENT_HOSTS.test(host)) return "";
  if (within(host, siteDomain)) return "";
  return "r:" + host.replace(/^www\./, "");
}

// "download", "outbound" or "" for a link's href on the page at pageUrl.
export function linkKind(href, pageUrl, hasDownloadAttribute) {
  let url;
  try {
    url = new URL(href, pageUrl);
  } catch {
    return "";
  }
  if (!/^https?:$/.test(url.protocol)) return "";
  if (hasDownloadAttribute || DOWNLOAD_PATH.test(url.pathname)) return "download";
  return url.hostname === hostOf(pageUrl) ? "" : "outbound";
}

// `ignoredPages` patterns: `*` matches anything, the rest literally, against the whole path.
export function pathPattern(glob) {
  const parts = String(glob).split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp("^" + parts.join(".*") + "$");
}

// Touchline's collect endpoint on a host (scheme and host; trailing slashes ignored).
export function collectUrl(host) {
  let base = String(host || "");
  while (base.endsWith("/")) base = base.slice(0, -1);
  return base + "/api/tracking/collect";
}

// A URL's path; "" when it is not one.
export function pathOf(url) {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

// The Stripe Checkout session a return URL carries, and the URL without it; null otherwise.
export function stripeReturn(href) {
  if (!href.includes("cs_")) return null;
  const url = new URL(href);
  for (const key of STRIPE_KEYS) {
    const value = url.searchParams.get(key);
    if (value && value.startsWith("cs_")) {
      url.searchParams.delete(key);
      return { id: value, cleaned: url.href };
    }
  }
  return null;
}
