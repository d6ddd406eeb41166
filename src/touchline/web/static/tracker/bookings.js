// Pure booking rules: which postMessage data or URL hash means an appointment was booked.

export const BOOKING_WIDGETS = [
  ["msgsndr-booking-complete", "ghl"],
  ["calendly.event_scheduled", "calendly"],
  ["bookingSuccessful", "calcom"],
];
export const BOOKING_HASHES = ["booking", "booked", "scheduled", "confirmed", "thank-you"];
// Messages larger than this are somebody else's data, never a booking notice.
const MAX_MESSAGE_CHARS = 100000;

export function messageText(data) {
  if (typeof data === "string") return data;
  try {
    return JSON.stringify(data) || "";
  } catch {
    return "";
  }
}

// The widget a message announces a booking from ("ghl", "calendly", "calcom", a custom
// pattern's `widget`), or "".
export function bookingWidget(data, patterns) {
  const text = messageText(data);
  if (!text || text.length > MAX_MESSAGE_CHARS) return "";
  const known = BOOKING_WIDGETS.find(([match]) => text.includes(match));
  if (known) return known[1];
  const custom = patterns.find((pattern) => pattern && pattern.match && text.includes(pattern.match));
  return custom ? String(custom.widget || "custom") : "";
}

// Called on every page view: string operations, no regular expression to compile.
export function hashBooked(hash) {
  const text = String(hash);
  return BOOKING_HASHES.includes((text[0] === "#" ? text.slice(1) : text).toLowerCase());
}
