// Pure event-shaping rules: method arguments to wire fields, and what consent allows.

const IDENTITY_FIELDS = {
  email: "email",
  phone: "phone",
  firstName: "first_name",
  first_name: "first_name",
  lastName: "last_name",
  last_name: "last_name",
  name: "name",
  userId: "user_id",
  user_id: "user_id",
};
export const META_PIXEL_EVENT = "meta_pixel";

// track()'s second argument (CHECKLIST §9 #47): `{payload: {...}}` alone is the script-tag
// form; any other object is the npm form, the properties themselves.
export function payloadOf(props) {
  if (!props || typeof props !== "object") return undefined;
  const keys = Object.keys(props);
  const wrapped = keys.length === 1 && keys[0] === "payload" && props.payload && typeof props.payload === "object";
  return wrapped ? props.payload : props;
}

// identify()'s input (camelCase or snake_case) as the wire's `identity` (snake_case strings).
export function identityOf(input) {
  const identity = {};
  for (const key in input || {}) {
    const field = IDENTITY_FIELDS[key];
    const value = input[key] === undefined || input[key] === null ? "" : String(input[key]).trim();
    if (field && value) identity[field] = value.slice(0, field === "user_id" ? 128 : 2048);
  }
  return identity;
}

// "anonymous", "identifying" (identify calls, user ids) or "marketing" (Meta Pixel mirror).
export function kindOf(event) {
  if (event.name === META_PIXEL_EVENT) return "marketing";
  return event.type === "identify" ? "identifying" : "anonymous";
}

// What consent allows for an event of `kind` under `mode` ("none", "required", "strict"):
// "send", "hold" (until consent is given) or "drop". An explicit "no" is always respected.
export function consentDecision(mode, consent, kind) {
  if (kind === "anonymous") return "send";
  const needed = kind === "marketing" ? ["analytics", "marketing"] : ["analytics"];
  if (needed.some((purpose) => consent && consent[purpose] === false)) return "drop";
  if (mode === "none" || needed.every((purpose) => consent && consent[purpose] === true)) return "send";
  return "hold";
}
