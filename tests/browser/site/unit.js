// Unit tests of the tracker's pure parts, run in the browser against the source modules.
import { campaignOf, linkKind, pathOf, pathPattern, sourceOf, stripeReturn } from "/tracker-src/url.js";
import { contactOf, fieldKind, pairsOfData, parsed, splitName } from "/tracker-src/fields.js";
import { bookingWidget, hashBooked } from "/tracker-src/bookings.js";
import { consentDecision, identityOf, kindOf, payloadOf } from "/tracker-src/events.js";
import { cookieDomainFor, cookieDomainSetting, newId, nextSession } from "/tracker-src/session.js";
import { MAX_AGE_MS, MAX_QUEUED, bounded, verdict } from "/tracker-src/delivery.js";
import { isBot, readConfig } from "/tracker-src/tracker.js";
import { CTA_CANDIDATES, isCta } from "/tracker-src/signals.js";
import { eventsOf, identityOfCheckout, pixelConfig, plainId } from "/tracker-src/shopify-pixel.js";

const results = [];
function check(name, actual, expected) {
  const got = JSON.stringify(actual);
  const want = JSON.stringify(expected);
  results.push({ name, ok: got === want, got, want });
}

const page = "https://shop.example/landing";
check("utms and the first click id in the server's order",
  campaignOf(page + "?utm_source=fb&utm_campaign=s&fbclid=F&gclid=G"),
  { utm_source: "fb", utm_campaign: "s", click_id_type: "gclid", click_id: "G" });
check("source: click id first", sourceOf(page + "?gclid=G&utm_source=x", ""), "c:gclid:G");
check("source: the utm set", sourceOf(page + "?utm_source=nl&utm_medium=email", ""), "u:nl|email|||");
check("source: an external referrer without www", sourceOf(page, "https://www.google.com/search"), "r:google.com");
check("source: a self-referral is none", sourceOf(page, "https://shop.example/other"), "");
check("source: a payment page is none", sourceOf(page, "https://checkout.stripe.com/c/pay"), "");
check("source: direct is none", sourceOf(page, ""), "");
check("source: a sibling subdomain under the cookie domain is none",
  [sourceOf("https://app.shop.example/x", "https://www.shop.example/", "shop.example"),
   sourceOf("https://app.shop.example/x", "https://www.shop.example/", ""),
   sourceOf("https://app.shop.example/x", "https://notshop.example/", "shop.example")],
  ["", "r:shop.example", "r:notshop.example"]);
check("cookie domain setting: trimmed, lower-cased, a leading dot dropped; else this host only",
  ["auto", " .Shop.Example ", "localhost", "bad domain.com", "", undefined, "shop.example."].map(cookieDomainSetting),
  ["auto", "shop.example", "", "", "", "", ""]);
check("cookie domain: a setting is used only from its own hosts",
  [cookieDomainFor("shop.example", "app.shop.example", () => false),
   cookieDomainFor("shop.example", "shop.example", () => false),
   cookieDomainFor("shop.example", "evilshop.example", () => false),
   cookieDomainFor("shop.example", "127.0.0.1", () => false),
   cookieDomainFor("", "app.shop.example", () => true)],
  ["shop.example", "shop.example", "", "", ""]);
const tried = [];
const publicSuffix = (domain) => { tried.push(domain); return domain !== "co.uk"; };
check("cookie domain auto: the widest domain that takes a cookie; an apex host is its own",
  [cookieDomainFor("auto", "www.shop.co.uk", publicSuffix), tried,
   cookieDomainFor("auto", "shop.example", () => true),
   cookieDomainFor("auto", "app.shop.example", (domain) => domain !== "example"),
   cookieDomainFor("auto", "localhost", () => true),
   cookieDomainFor("auto", "co.uk", () => false)],
  ["shop.co.uk", ["co.uk", "shop.co.uk"], "shop.example", "shop.example", "", ""]);
check("link: another host is outbound", linkKind("https://other.example/x", page, false), "outbound");
check("link: same host is internal", linkKind("/pricing", page, false), "");
check("link: a pdf is a download", linkKind("/files/guide.PDF", page, false), "download");
check("link: the download attribute", linkKind("/export?id=1", page, true), "download");
check("link: mailto is neither", linkKind("mailto:a@example.com", page, false), "");
check("ignored pages: glob", [pathPattern("/admin/*").test("/admin/users"), pathPattern("/admin/*").test("/administrator")], [true, false]);
check("ignored pages: literal dots", pathPattern("/a.b").test("/axb"), false);
check("ignored pages: the path of a page's URL", [pathOf(page + "?q=1#top"), pathOf("")], ["/landing", ""]);
check("stripe: cs_ values only",
  [stripeReturn(page + "?session_id=abc"), stripeReturn(page + "?checkout_session_id=cs_live_1&x=2")],
  [null, { id: "cs_live_1", cleaned: page + "?x=2" }]);

check("field: email by type, name or autocomplete",
  [fieldKind("email", "x", ""), fieldKind("text", "your-email", ""), fieldKind("text", "f", "work email")],
  ["email", "email", "email"]);
check("field: phone by type tel or name", [fieldKind("tel", "x", ""), fieldKind("text", "Telephone", "")], ["phone", "phone"]);
check("field: first and last names", [fieldKind("text", "firstName", ""), fieldKind("text", "f", "given-name"),
  fieldKind("text", "surname", ""), fieldKind("text", "x", "family-name")], ["first_name", "first_name", "last_name", "last_name"]);
check("field: full name", [fieldKind("text", "name", ""), fieldKind("text", "x", "name")], ["name", "name"]);
check("field: hidden and password never", [fieldKind("hidden", "email", ""), fieldKind("password", "email", "")], ["", ""]);
check("field: unrelated", fieldKind("text", "company", "organization"), "");
check("split name", splitName("  Ana  María López "), { first_name: "Ana", last_name: "María López" });
check("contact: first value wins, full name split, invalid skipped",
  contactOf([["email", "not-an-email"], ["email", "ana@example.com"], ["email", "b@example.com"],
    ["phone", "12"], ["name", "Ana López"], ["", "x"]]),
  { email: "ana@example.com", first_name: "Ana", last_name: "López" });
check("contact: explicit names beat the split", contactOf([["first_name", "Ann"], ["name", "Ana López"]]),
  { first_name: "Ann", last_name: "López" });
check("data pairs: outer keys first", pairsOfData({ a: { email: "inner@example.com" }, email: "outer@example.com" })[0],
  ["email", "outer@example.com"]);
check("parsed: JSON text or nothing", [parsed('{"a":1}'), parsed("hello"), parsed({ b: 2 })], [{ a: 1 }, null, { b: 2 }]);

const custom = [{ match: "booking-confirmed", widget: "my_scheduler" }];
check("booking: the three widgets", [
  bookingWidget({ type: "msgsndr-booking-complete" }, []),
  bookingWidget("calendly.event_scheduled", []),
  bookingWidget({ data: { type: "bookingSuccessful" } }, []),
], ["ghl", "calendly", "calcom"]);
check("booking: custom patterns and others", [bookingWidget("x:booking-confirmed", custom), bookingWidget({ type: "resize" }, custom)],
  ["my_scheduler", ""]);
check("booking: hashes", ["#booked", "#Thank-You", "#pricing", ""].map(hashBooked), [true, true, false, false]);

check("payload: script form", payloadOf({ payload: { plan: "pro" } }), { plan: "pro" });
check("payload: npm form", payloadOf({ plan: "pro", payload: { x: 1 } }), { plan: "pro", payload: { x: 1 } });
check("payload: none", payloadOf(undefined), undefined);
check("identity: camelCase to snake_case, blanks dropped",
  identityOf({ email: " a@example.com ", firstName: "Ana", lastName: "", userId: 42, favourite: "x" }),
  { email: "a@example.com", first_name: "Ana", user_id: "42" });
check("event kinds", [kindOf({ type: "identify" }), kindOf({ type: "track", name: "meta_pixel" }), kindOf({ type: "page_view" })],
  ["identifying", "marketing", "anonymous"]);
check("consent: none mode sends unless refused", [
  consentDecision("none", null, "identifying"), consentDecision("none", { analytics: false }, "identifying"),
  consentDecision("none", { marketing: false }, "marketing")], ["send", "drop", "drop"]);
check("consent: required holds until granted", [
  consentDecision("required", null, "anonymous"), consentDecision("required", null, "identifying"),
  consentDecision("required", { analytics: true }, "identifying"), consentDecision("required", { analytics: true }, "marketing"),
  consentDecision("strict", { analytics: true, marketing: true }, "marketing")], ["send", "hold", "send", "hold", "send"]);

const minute = 60000;
const first = nextSession(null, 0, 30 * minute, false, "u:a", true);
const same = nextSession(first, 29 * minute, 30 * minute, false, "", false);
const idle = nextSession(same, 59 * minute + 1, 30 * minute, false, "", true);
check("session: new, kept within the timeout, new after it",
  [first.isNew, same.isNew, same.id === first.id, idle.isNew, idle.id !== first.id], [true, false, true, true, true]);
const split = nextSession(first, minute, 30 * minute, true, "u:b", true);
const direct = nextSession(first, minute, 30 * minute, true, "", true);
const noSplit = nextSession(first, minute, 30 * minute, false, "u:b", true);
check("session: a new source splits only in source-change mode, only on a page view",
  [split.isNew, direct.isNew, noSplit.isNew, nextSession(first, minute, 30 * minute, true, "u:b", false).isNew],
  [true, false, false, false]);
check("session: the booked flag stays with the session", nextSession({ ...first, booked: true }, minute, 30 * minute, false, "", false).booked, true);
check("ids: version 4 UUIDs, distinct", [/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(newId()), newId() !== newId()], [true, true]);

check("delivery: answers", [202, 400, 401, 413, 429, 503, 0].map(verdict), ["sent", "drop", "stop", "drop", "retry", "retry", "retry"]);
const old = { timestamp: 0 };
const many = Array.from({ length: MAX_QUEUED + 5 }, (_, n) => ({ timestamp: MAX_AGE_MS + n }));
const kept = bounded([old, ...many], MAX_AGE_MS + MAX_QUEUED + 5);
check("delivery: the queue keeps the newest, never too old", [kept.length, kept[0].timestamp, kept.includes(old)],
  [MAX_QUEUED, MAX_AGE_MS + 5, false]);

const defaults = readConfig({ trackingKey: "trk_live_x" }, "https://t.example/");
check("config: defaults", [defaults.endpoint, defaults.sessionTimeoutMinutes, defaults.sessionMode, defaults.heartbeatIntervalSeconds,
  defaults.interceptMetaFbq, defaults.metaBridgePageview, defaults.enableWebVitals, defaults.consentMode],
  ["https://t.example/api/tracking/collect", 30, "inactivity_only", 60, true, false, true, "none"]);
const odd = readConfig({ trackingKey: "k", sessionTimeoutMinutes: 500, sessionMode: "weekly", heartbeatIntervalSeconds: false,
  enableWebVitals: "false", trackingEndpoint: "https://c.example/collect", apiHost: "https://ignored.example" }, "");
check("config: ranges and fallbacks", [odd.sessionTimeoutMinutes, odd.sessionMode, odd.heartbeatIntervalSeconds, odd.enableWebVitals, odd.endpoint],
  [120, "inactivity_only", 0, false, "https://c.example/collect"]);
check("config: timeout floor", readConfig({ sessionTimeoutMinutes: 0.2 }, "").sessionTimeoutMinutes, 1);
check("bots: crawlers, not AI agents or browsers", [
  isBot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
  isBot("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ChatGPT-User/1.0; +https://openai.com/bot)"),
  isBot(navigator.userAgent)], [true, false, false]);
check("bots: 'bot' ends a word; headless and AI crawlers", [isBot("Mozilla/5.0 robotics-lab"), isBot("AhrefsBot/7.0"),
  isBot("Mozilla/5.0 HeadlessChrome/120"), isBot("Mozilla/5.0 (compatible; GPTBot/1.1)")], [false, true, true, false]);
check("config: trailing slashes of the host", readConfig({ apiHost: "https://h.example//" }, "").endpoint,
  "https://h.example/api/tracking/collect");

// The CTA scan's selector leaves out only links that isCta could never accept.
const ctas = document.createElement("div");
ctas.innerHTML = '<a href="/a">Book now</a><a href="/b" class="Big-BUTTON">Go</a><a href="/c" class="submitbtn">x</a>' +
  '<a href="/d" class="nav-btn">y</a><a href="/e" data-atribu-cta>z</a><a href="/f" role="button" class="plain">Buy</a>' +
  '<button>Book a call</button><button class="cta">w</button><span role="button">Subscribe</span><a class="btn">no href</a>';
const chosen = (selector) => Array.from(ctas.querySelectorAll(selector)).filter(isCta).map((e) => e.textContent);
check("cta: the narrowed selector finds what the broad one did",
  chosen(CTA_CANDIDATES), chosen("a[href],button,[role=button],input[type=submit],[data-atribu-cta]"));
check("cta: which elements are calls to action", chosen(CTA_CANDIDATES), ["Go", "y", "z", "Book a call", "w", "Subscribe"]);

// The Shopify pixel's pure parts: Shopify's ids, events it ignores, settings' bounds.
check("shopify: a GraphQL id as the Admin API's number",
  [plainId("gid://shopify/Order/42"), plainId("gid://shopify/OrderIdentity/7?key=x"), plainId(42), plainId(null)], ["42", "7", "42", ""]);
check("shopify: events it does not map, and a checkout event without a checkout",
  [eventsOf({ name: "page_viewed", data: {} }), eventsOf({ name: "checkout_completed", data: {} })], [[], []]);
check("shopify: a purchase without an order id dedupes by the checkout token",
  eventsOf({ name: "checkout_completed", data: { checkout: { token: "t1", totalPrice: { amount: "12.5", currencyCode: "eur" } } } }),
  [{ type: "revenue", name: "purchase", revenue: { amount: 12.5, currency: "EUR" }, payload: { checkout_token: "t1", provider_ref: "t1" } }]);
check("shopify: the logged-in customer fills what the checkout lacks",
  identityOfCheckout({ email: "" }, { email: "a@b.example", firstName: "Al", id: "gid://shopify/Customer/9" }),
  { email: "a@b.example", first_name: "Al", shopify_customer_id: "9" });
check("shopify: settings: the endpoint from the host, the timeout within 1-120",
  [pixelConfig({ trackingKey: "trk_x", apiHost: "https://h.example/" }), pixelConfig({ trackingKey: "k", endpoint: "https://e/c", sessionTimeoutMinutes: "500" }).timeoutMs],
  [{ trackingKey: "trk_x", endpoint: "https://h.example/api/tracking/collect", timeoutMs: 1800000 }, 7200000]);

window.unitResults = results;
