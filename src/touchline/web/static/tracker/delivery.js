// Delivery: batched sends, the page-hide beacon, and a bounded retry queue in localStorage
// that keeps every event's original timestamp until the server has accepted it.

import { QUEUE_KEY, readJson } from "./session.js";

export const BATCH_EVENTS = 50;
export const MAX_QUEUED = 500;
// The server keeps live events up to 7 days old (TOUCHLINE_COLLECT_MAX_PAST_DAYS).
export const MAX_AGE_MS = 7 * 86400000 - 3600000;
const FLUSH_DELAY_MS = 1000;
const RETRY_DELAYS_MS = [2000, 10000, 30000, 60000];
// keepalive requests (and beacons) may carry at most 64 KiB.
const KEEPALIVE_BYTES = 60000;

// What an answer means for the batch: "sent", "drop" (never retry), "retry", or "stop" (the
// tracking key is refused: stop sending).
export function verdict(status) {
  if (status >= 200 && status < 300) return "sent";
  if (status === 401) return "stop";
  if (status === 408 || status === 429 || status >= 500 || status === 0) return "retry";
  return "drop";
}

// The events still worth keeping: at most MAX_QUEUED, none older than MAX_AGE_MS.
export function bounded(events, now) {
  return events.filter((event) => now - event.timestamp < MAX_AGE_MS).slice(-MAX_QUEUED);
}

export function createSender(win, config, storage, fetcher) {
  const fetchOriginal = fetcher || (win.fetch && win.fetch.bind(win));
  let queue = bounded(readJson(storage, QUEUE_KEY) || [], Date.now());
  let inflight = [];
  let timer = 0;
  let failures = 0;
  let stopped = false;

  function save() {
    if (queue.length) storage.set(QUEUE_KEY, JSON.stringify(queue));
    else storage.remove(QUEUE_KEY);
  }
  // The request body around events already in JSON (each batch is serialized once).
  function body(eventsJson) {
    return '{"tracking_key":' + JSON.stringify(config.trackingKey) + ',"events":' + eventsJson + "}";
  }
  function schedule(delay) {
    if (!timer && !stopped) timer = win.setTimeout(flush, delay);
  }
  function settle(batch, outcome, answer) {
    inflight = [];
    if (outcome === "stop") stopped = true;
    if (outcome === "retry") {
      schedule(RETRY_DELAYS_MS[Math.min(failures++, RETRY_DELAYS_MS.length - 1)]);
      return;
    }
    // A 400 names the one bad event: drop it alone and send the rest again.
    const bad = outcome === "drop" && /events\[(\d+)\]/.exec(answer);
    const gone = bad ? [batch[Number(bad[1])]] : batch;
    queue = queue.filter((event) => !gone.includes(event));
    failures = 0;
    save();
    if (queue.length) schedule(0);
  }
  function flush() {
    win.clearTimeout(timer);
    timer = 0;
    if (stopped || inflight.length || !queue.length || !fetchOriginal) return;
    if (win.navigator.onLine === false) return;
    const batch = queue.slice(0, BATCH_EVENTS);
    inflight = batch;
    const events = JSON.stringify(batch);
    // Stored before it is sent (a page closed mid-flight sends it again from the next one);
    // when the batch is the whole queue, one serialization serves both.
    if (batch.length === queue.length) storage.set(QUEUE_KEY, events);
    else save();
    const text = body(events);
    const request = {
      method: "POST",
      body: text,
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      credentials: "omit",
      keepalive: text.length < KEEPALIVE_BYTES,
    };
    fetchOriginal(config.endpoint, request).then(
      (response) => response.text().then((answer) => settle(batch, verdict(response.status), answer)),
      () => settle(batch, "retry", ""),
    );
  }
  // The page is going away: beacon what is not in flight; what the browser refuses stays
  // stored for the next page. While sends are failing (or the browser is offline) a beacon
  // would be lost unseen, so everything stays stored instead.
  function beacon() {
    if (failures || win.navigator.onLine === false) return save();
    const waiting = queue.filter((event) => !inflight.includes(event));
    const sendBeacon = win.navigator.sendBeacon && win.navigator.sendBeacon.bind(win.navigator);
    for (let start = 0; sendBeacon && !stopped && start < waiting.length; start += BATCH_EVENTS) {
      const batch = waiting.slice(start, start + BATCH_EVENTS);
      const blob = new Blob([body(JSON.stringify(batch))], { type: "text/plain;charset=UTF-8" });
      if (sendBeacon(config.endpoint, blob)) queue = queue.filter((event) => !batch.includes(event));
    }
    save();
  }
  win.addEventListener("online", flush);
  if (queue.length) schedule(FLUSH_DELAY_MS);
  return {
    enqueue(event) {
      queue = bounded(queue.concat(event), event.timestamp);
      if (queue.length - inflight.length >= BATCH_EVENTS) flush();
      else schedule(FLUSH_DELAY_MS);
    },
    flush,
    beacon,
  };
}
