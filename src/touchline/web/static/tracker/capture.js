// Auto-capture of what a visitor does: SPA navigation, forms (and GoHighLevel's div forms),
// booking widgets, Stripe Checkout returns, outbound links and downloads, uncaught errors and
// Meta Pixel calls. Each function installs one capture on the tracker's context `t`.

import { contactOf, fieldKind, identifies, pairsOfData, parsed } from "./fields.js";
import { bookingWidget, hashBooked } from "./bookings.js";
import { linkKind, stripeReturn } from "./url.js";
import { META_PIXEL_EVENT } from "./events.js";
import { newId } from "./session.js";

// GoHighLevel's forms post their fields to …/forms/submit.
const GHL_SUBMIT = /\/forms\/submit\/?$/;
const SKIPPED_INPUTS = /^(checkbox|radio|submit|button|file|image|reset|password|hidden)$/i;
const MAX_ERRORS = 10;
const FBQ_PROPERTIES = ["callMethod", "queue", "push", "loaded", "version", "agent"];

export function captureNavigation(t) {
  const history = t.win.history;
  // After the caller's own work (a router sets the title after pushState).
  const navigated = () => t.win.setTimeout(() => t.navigate(true, false), 0);
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method];
    history[method] = function () {
      const result = original.apply(this, arguments);
      navigated();
      return result;
    };
  }
  t.win.addEventListener("popstate", navigated);
  t.win.addEventListener("hashchange", navigated);
}

export function captureStripeReturn(t) {
  t.afterView.push(() => {
    const found = stripeReturn(t.win.location.href);
    if (!found) return;
    t.track("stripe_checkout_completed", { checkout_session_id: found.id });
    // The tracker's own replaceState is not a navigation, and a reload will not fire again.
    t.replaceState(t.win.history.state, "", found.cleaned);
    t.page.url = found.cleaned;
  });
}

export function captureBookings(t) {
  const booked = (widget, data) => {
    if (!t.bookedOnce()) return;
    const contact = contactOf(pairsOfData(parsed(data)));
    if (identifies(contact)) t.identify(contact);
    t.track("appointment_booked", { widget });
  };
  t.win.addEventListener("message", (event) => {
    const widget = bookingWidget(event.data, t.config.bookingPatterns);
    if (widget) booked(widget, event.data);
  });
  t.afterView.push(() => hashBooked(t.win.location.hash) && booked("hash", null));
}

function visible(win, field) {
  const boxed = field.offsetWidth || field.offsetHeight || field.getClientRects().length;
  return Boolean(boxed) && win.getComputedStyle(field).visibility !== "hidden";
}

function formId(doc, form) {
  // Attributes, not properties: an input named "id" or "name" shadows form.id and form.name.
  const named = form.getAttribute("id") || form.getAttribute("name");
  return named || "form_" + Array.prototype.indexOf.call(doc.forms, form);
}

// Identify first (when the form has an email or phone), then `lead_submitted`.
function submitted(t, contact, payload) {
  if (identifies(contact)) t.identify(contact);
  t.track("lead_submitted", { ...payload, path: t.win.location.pathname });
}

export function captureForms(t) {
  const onSubmit = (event) => {
    const form = event.target;
    if (!form || form.tagName !== "FORM") return;
    const pairs = [];
    for (const field of form.elements) {
      if (!/^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName) || SKIPPED_INPUTS.test(field.type)) continue;
      if (!visible(t.win, field)) continue;
      pairs.push([fieldKind(field.type, field.name, field.getAttribute("autocomplete")), field.value]);
    }
    submitted(t, contactOf(pairs), { form_id: formId(t.doc, form) });
  };
  t.doc.addEventListener("submit", onSubmit, true);
}

// Form abandonment: a <form> starts with the visitor's first input or change in it; when the
// page is left (hidden, closed, SPA navigation) a started form that was not submitted makes
// one `form_abandoned`, with how many fields were touched and never what they hold. Each form
// at most once per page view. Nothing is looked at before the first input.
export function captureFormAbandonment(t) {
  let started = new Map();
  let closed = new Set();
  t.onPage.push(() => {
    started = new Map();
    closed = new Set();
  });
  const onInput = (event) => {
    const form = event.target && event.target.form;
    if (!form || form.tagName !== "FORM" || closed.has(form)) return;
    let seen = started.get(form);
    if (!seen) {
      seen = { id: formId(t.doc, form), path: t.win.location.pathname, fields: new Set() };
      started.set(form, seen);
    }
    // Radio buttons of one group are one field.
    seen.fields.add(event.target.name || event.target);
  };
  const onSubmit = (event) => {
    started.delete(event.target);
    closed.add(event.target);
  };
  t.doc.addEventListener("input", onInput, true);
  t.doc.addEventListener("change", onInput, true);
  t.doc.addEventListener("submit", onSubmit, true);
  t.onLeave.push(() => {
    for (const [form, seen] of started) {
      closed.add(form);
      const payload = { form_id: seen.id, path: seen.path, fields_filled: seen.fields.size };
      t.emit("engagement", "form_abandoned", { url: t.page.url, payload });
    }
    started.clear();
  });
}

// The fields of a GoHighLevel submission: FormData (its `formData` entry is JSON), JSON or
// a query string.
function ghlFields(body) {
  if (typeof FormData !== "undefined" && body instanceof FormData) {
    const fields = {};
    body.forEach((value, key) => {
      fields[key] = parsed(value) || value;
    });
    return fields;
  }
  return parsed(body) || Object.fromEntries(new URLSearchParams(String(body)));
}

export function captureGhlForms(t) {
  const original = t.win.fetch;
  if (!original) return;
  // The tracker's own sends skip this wrapper.
  t.fetch = original.bind(t.win);
  t.win.fetch = function (input, init) {
    try {
      const url = new URL(typeof input === "string" ? input : input.url, t.win.location.href);
      if (GHL_SUBMIT.test(url.pathname) && init && init.body) {
        const fields = ghlFields(init.body);
        const inner = fields.formData || {};
        const id = fields.formId || fields.form_id || inner.formId || inner.form_id || "ghl_form";
        submitted(t, contactOf(pairsOfData(fields)), { form_id: String(id), form_type: "ghl" });
      }
    } catch {}
    return original.apply(this, arguments);
  };
}

export function captureLinks(t) {
  const onClick = (event) => {
    const link = event.target && event.target.closest && event.target.closest("a[href]");
    if (!link) return;
    const kind = linkKind(link.href, t.win.location.href, link.hasAttribute("download"));
    if (!kind) return;
    const url = new URL(link.href);
    const payload =
      kind === "download"
        ? { url: link.href, file_name: decodeURIComponent(url.pathname.split("/").pop() || "") }
        : { url: link.href, domain: url.hostname, text: (link.textContent || "").trim().slice(0, 80) };
    t.emit("engagement", kind === "download" ? "file_download" : "outbound_click", { payload });
  };
  t.doc.addEventListener("click", onClick, true);
}

export function captureErrors(t) {
  const seen = [];
  t.onPage.push(() => {
    seen.length = 0;
  });
  const report = (message, source, line, column) => {
    const text = String(message).slice(0, 500);
    if (seen.length >= MAX_ERRORS || seen.includes(text)) return;
    seen.push(text);
    t.emit("engagement", "js_error", { payload: { message: text, source, line, column } });
  };
  t.win.addEventListener("error", (event) => {
    if (event.message) report(event.message, event.filename || "", event.lineno || 0, event.colno || 0);
  });
  t.win.addEventListener("unhandledrejection", (event) => {
    const reason = event.reason;
    report((reason && reason.message) || reason, "unhandledrejection", 0, 0);
  });
}

// The Pixel and the mirror share one event id, so Meta deduplicates the server-side copy: the
// id is added to the call's own arguments (in place, so a queued call carries it too), and
// the mirror's fields are returned; null for calls not mirrored.
function stampFbq(t, args) {
  const command = args[0];
  const name = args[1];
  const options = args[3];
  if ((command !== "track" && command !== "trackCustom") || typeof name !== "string") return null;
  if (name === "PageView" && !t.config.metaBridgePageview) return null;
  const eventId = String((options && options.eventID) || newId()).slice(0, 128);
  args[2] = args[2] || {};
  args[3] = { ...options, eventID: eventId };
  // A queued call is the stub's `arguments`, whose length does not follow new indexes.
  if (args.length < 4) args.length = 4;
  return { event_id: eventId, payload: { event: name, custom: command === "trackCustom", params: args[2] } };
}

// Calls the stub queued before the tracker ran, while Meta's library has not sent them yet
// (it sets `callMethod` when it loads, and drains the queue): they get the shared id before
// Meta reads them, and are mirrored after init, off its path. Once the library has loaded,
// what it sent before is out of reach (docs/tracker.md).
function stampQueued(t, fbq) {
  if (fbq.callMethod || !Array.isArray(fbq.queue)) return;
  const mirrors = [];
  for (const args of fbq.queue) {
    const mirror = stampFbq(t, args);
    if (mirror) mirrors.push(mirror);
  }
  if (mirrors.length) t.win.setTimeout(() => mirrors.forEach((fields) => t.emit("track", META_PIXEL_EVENT, fields)), 0);
}

// window.fbq wrapped (the Pixel's stub or the loaded library): the wrapper mirrors track calls
// and passes everything on; its properties read and write the original's.
function wrapFbq(t, original) {
  if (typeof original !== "function" || original.atribuWrapped) return original;
  try {
    stampQueued(t, original);
  } catch {}
  const wrapper = function () {
    const args = Array.prototype.slice.call(arguments);
    try {
      const mirror = stampFbq(t, args);
      if (mirror) t.emit("track", META_PIXEL_EVENT, mirror);
    } catch {}
    return original.apply(this, args);
  };
  for (const key of FBQ_PROPERTIES) {
    Object.defineProperty(wrapper, key, {
      get: () => original[key],
      set: (value) => {
        original[key] = value;
      },
    });
  }
  wrapper.atribuWrapped = true;
  return wrapper;
}

// The Pixel now, and whenever the page defines it later (a tag manager adding it after load):
// an accessor on window wraps whatever is assigned to window.fbq, no polling. A global
// `function fbq` replaces the accessor, and one declared before the tracker cannot be
// redefined: those are wrapped by assignment, now and again on load.
export function interceptFbq(t) {
  const win = t.win;
  let current = wrapFbq(t, win.fbq);
  const assign = (value) => {
    try {
      win.fbq = value;
    } catch {}
  };
  try {
    Object.defineProperty(win, "fbq", {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (value) => {
        current = wrapFbq(t, value);
      },
    });
  } catch {
    assign(current);
  }
  win.addEventListener("load", () => assign(wrapFbq(t, win.fbq)));
}
