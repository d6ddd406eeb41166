// The Shopify web pixel: in Shopify's checkout sandbox, where no page script runs, it turns
// Shopify's customer events into the tracker's `add_to_cart`, `checkout_started` and
// `purchase`, sent as the storefront's visitor (the ids the tracker keeps in the top frame's
// localStorage, read through Shopify's asynchronous `browser` API). docs/tracker.md#shopify.

import { collectUrl } from "./url.js";
import {
  ANON_KEY, SESSION_KEY, SESSION_STATE_KEY, VISITOR_COOKIE, SESSION_COOKIE, YEAR_SECONDS, newId, nextSession,
  sessionMinutes,
} from "./session.js";
import { verdict } from "./delivery.js";

export const PIXEL_EVENTS = {
  product_added_to_cart: "add_to_cart",
  checkout_started: "checkout_started",
  checkout_completed: "purchase",
};
const MAX_ITEMS = 50;
const MAX_ID = 128;
const PIXEL_RETRY_MS = [1000, 5000, 20000];

// A MoneyV2 (`{amount, currencyCode}`) as a number, or undefined.
function amountOf(money) {
  const amount = money && Number(money.amount);
  return typeof amount === "number" && isFinite(amount) ? amount : undefined;
}

// Shopify gives ids as numbers in strings or as GraphQL ids (`gid://shopify/Order/42`); the
// Admin API and its webhooks use the number, so that is what is sent.
export function plainId(value) {
  const text = value === undefined || value === null ? "" : String(value);
  return text.slice(text.lastIndexOf("/") + 1).split("?")[0];
}

function present(object) {
  const kept = {};
  for (const key in object) {
    const value = object[key];
    const empty = value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length);
    if (!empty) kept[key] = value;
  }
  return kept;
}

function variantFields(variant) {
  const product = (variant && variant.product) || {};
  return present({
    product_id: plainId(product.id),
    variant_id: plainId(variant && variant.id),
    title: product.title || (variant && variant.title),
    sku: variant && variant.sku,
    price: amountOf(variant && variant.price),
  });
}

function itemsOf(checkout) {
  return (checkout.lineItems || []).slice(0, MAX_ITEMS).map((line) =>
    present({ ...variantFields(line.variant), quantity: line.quantity }),
  );
}

function checkoutFields(checkout) {
  const total = checkout.totalPrice || {};
  return present({
    checkout_token: checkout.token,
    value: amountOf(total),
    currency: total.currencyCode || checkout.currencyCode,
    items: itemsOf(checkout),
  });
}

// Who is buying: the checkout's email and phone, the billing (else shipping) address's names
// and phone, and the order's Shopify customer id.
export function identityOfCheckout(checkout, customer) {
  const address = checkout.billingAddress || checkout.shippingAddress || {};
  const order = checkout.order || {};
  const buyer = customer || {};
  return present({
    email: checkout.email || buyer.email,
    phone: checkout.phone || address.phone || buyer.phone,
    first_name: address.firstName || buyer.firstName,
    last_name: address.lastName || buyer.lastName,
    shopify_customer_id: plainId((order.customer && order.customer.id) || buyer.id),
  });
}

// One Shopify customer event as the tracker's events (without ids): [] for one it ignores.
// `customer` is init's logged-in customer, when there is one.
export function eventsOf(shopifyEvent, customer) {
  const name = PIXEL_EVENTS[shopifyEvent.name];
  const data = shopifyEvent.data || {};
  if (name === "add_to_cart") {
    const line = data.cartLine || {};
    const cost = line.cost && line.cost.totalAmount;
    const payload = present({
      ...variantFields(line.merchandise),
      quantity: line.quantity,
      value: amountOf(cost),
      currency: (cost && cost.currencyCode) || (line.merchandise && line.merchandise.price && line.merchandise.price.currencyCode),
    });
    return [{ type: "track", name, payload }];
  }
  const checkout = data.checkout;
  if (!name || !checkout) return [];
  const identity = identityOfCheckout(checkout, customer);
  const events = Object.keys(identity).length ? [{ type: "identify", name: "identify", identity }] : [];
  const fields = checkoutFields(checkout);
  if (name === "checkout_started") return events.concat([{ type: "track", name, payload: fields }]);
  const { value, currency, ...rest } = fields;
  const orderId = plainId(checkout.order && checkout.order.id);
  // The order id is the ref the Shopify webhook's `order_placed` carries, and the checkout
  // token rides along as its checkout: a purchase mapped into that goal counts once with either
  // (decision 0714); without an order id the token is the ref too.
  const payload = present({ ...rest, order_id: orderId, provider_ref: orderId || checkout.token });
  const revenue = { amount: value || 0, currency: String(currency || "").toUpperCase() };
  return events.concat([{ type: "revenue", name, revenue, payload }]);
}

// The settings: `trackingKey`, and `endpoint` (the collect URL) or `apiHost`;
// `sessionTimeoutMinutes` (1–120, 30 by default) as the storefront tracker's.
export function pixelConfig(settings) {
  const given = settings || {};
  return {
    trackingKey: String(given.trackingKey || ""),
    endpoint: String(given.endpoint || (given.apiHost ? collectUrl(given.apiHost) : "")),
    timeoutMs: sessionMinutes(given.sessionTimeoutMinutes) * 60000,
  };
}

// Start the pixel with Shopify's standard API (`analytics`, `browser`, `init`). Events are
// handled one after another, so two close together never make two visitors or sessions.
export function startPixel(api, settings) {
  const config = pixelConfig(settings);
  if (!config.trackingKey || !config.endpoint || !api || !api.analytics) return false;
  const browser = api.browser;
  const data = (api.init && api.init.data) || {};
  const page = (api.init && api.init.context && api.init.context.document) || {};
  const protocol = (page.location && page.location.protocol) || "https:";
  const flags = "; path=/; SameSite=Lax" + (protocol === "https:" ? "; Secure" : "");
  let chain = Promise.resolve();

  async function read(key) {
    try {
      return (await browser.localStorage.getItem(key)) || "";
    } catch {
      return "";
    }
  }
  async function write(key, value) {
    try {
      await browser.localStorage.setItem(key, value);
    } catch {}
  }
  async function cookie(name, value, seconds) {
    try {
      await browser.cookie.set(name + "=" + encodeURIComponent(value) + "; max-age=" + seconds + flags);
    } catch {}
  }
  async function readCookie(name) {
    try {
      return decodeURIComponent((await browser.cookie.get(name)) || "");
    } catch {
      return "";
    }
  }
  // The storefront tracker's visitor and session: the same keys, the same session rule (an
  // event that is not a page view never starts a session by its source).
  async function ids(now) {
    const anonymousId = (await read(ANON_KEY)) || (await readCookie(VISITOR_COOKIE)) || newId();
    let previous = null;
    try {
      previous = JSON.parse((await read(SESSION_STATE_KEY)) || "null");
    } catch {}
    const next = nextSession(previous, now, config.timeoutMs, false, "", false);
    const state = { id: next.id, last: next.last, source: next.source, views: next.views, booked: next.booked };
    await write(ANON_KEY, anonymousId);
    await write(SESSION_KEY, next.id);
    await write(SESSION_STATE_KEY, JSON.stringify(state));
    await cookie(VISITOR_COOKIE, anonymousId, YEAR_SECONDS);
    await cookie(SESSION_COOKIE, next.id, config.timeoutMs / 1000);
    return { anonymousId, sessionId: next.id };
  }
  async function handle(shopifyEvent) {
    const shaped = eventsOf(shopifyEvent, data.customer);
    if (!shaped.length) return;
    const parsed = Date.parse(shopifyEvent.timestamp);
    const now = isFinite(parsed) ? parsed : Date.now();
    const { anonymousId, sessionId } = await ids(now);
    const context = (shopifyEvent.context && shopifyEvent.context.document) || {};
    const location = context.location || {};
    const given = typeof shopifyEvent.id === "string" && shopifyEvent.id.length <= MAX_ID - 17 ? shopifyEvent.id : "";
    const events = shaped.map((event) => ({
      // Shopify's event id, so the same customer event sent twice is stored once.
      event_id: given ? "shopify:" + given + (event.type === "identify" ? ":identify" : "") : newId(),
      timestamp: now,
      anonymous_id: anonymousId,
      session_id: sessionId,
      url: location.href || "",
      referrer: context.referrer || "",
      title: context.title || "",
      ...event,
    }));
    await send(JSON.stringify({ tracking_key: config.trackingKey, events }));
  }
  // Sent at once; what the tracker retries (offline, 408, 429, 5xx) is tried again while the
  // page stays open. A refused request (400, 401) is not: the same body would be refused again.
  async function send(body) {
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        const answer = await fetch(config.endpoint, { method: "POST", body, headers: { "Content-Type": "text/plain" }, keepalive: true });
        status = answer.status;
      } catch {}
      if (verdict(status) !== "retry" || attempt >= PIXEL_RETRY_MS.length) return status;
      await new Promise((done) => setTimeout(done, PIXEL_RETRY_MS[attempt]));
    }
  }
  for (const shopifyName in PIXEL_EVENTS) {
    api.analytics.subscribe(shopifyName, (shopifyEvent) => {
      chain = chain.then(() => handle(shopifyEvent)).catch(() => {});
      return chain;
    });
  }
  return true;
}
