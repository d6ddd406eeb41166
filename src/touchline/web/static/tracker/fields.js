// Pure contact rules: which form fields (or message keys) hold an email, a phone or a name.

const FIRST_NAMES = ["first_name", "firstname", "given_name", "fname"];
const LAST_NAMES = ["last_name", "lastname", "family_name", "lname", "surname"];
const FULL_NAMES = ["name", "full_name", "fullname"];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// "email", "phone", "first_name", "last_name", "name" or "" for a field's attributes.
export function fieldKind(type, name, autocomplete) {
  const kind = String(type || "").toLowerCase();
  const key = String(name || "").toLowerCase();
  const auto = String(autocomplete || "").toLowerCase();
  if (kind === "hidden" || kind === "password") return "";
  if (kind === "email" || key.includes("email") || auto.includes("email")) return "email";
  if (kind === "tel" || key.includes("phone")) return "phone";
  if (FIRST_NAMES.includes(key) || auto === "given-name") return "first_name";
  if (LAST_NAMES.includes(key) || auto === "family-name") return "last_name";
  if (FULL_NAMES.includes(key) || auto === "name") return "name";
  return "";
}

export function splitName(full) {
  const words = String(full).trim().split(/\s+/);
  return { first_name: words[0] || "", last_name: words.slice(1).join(" ") };
}

// An identify() input (snake_case) from [kind, value] pairs: the first usable value of each
// kind wins; a full name is split into first and last; an email must look like one and a
// phone needs 7 digits.
export function contactOf(pairs) {
  const contact = {};
  for (const [kind, raw] of pairs) {
    const value = typeof raw === "string" ? raw.trim() : "";
    if (!kind || !value || contact[kind]) continue;
    if (kind === "email" && !EMAIL.test(value)) continue;
    if (kind === "phone" && value.replace(/\D/g, "").length < 7) continue;
    contact[kind] = value.slice(0, 200);
  }
  if (contact.name) {
    const split = splitName(contact.name);
    contact.first_name = contact.first_name || split.first_name;
    contact.last_name = contact.last_name || split.last_name;
    delete contact.name;
  }
  for (const key in contact) {
    if (!contact[key]) delete contact[key];
  }
  return contact;
}

export function identifies(contact) {
  return Boolean(contact.email || contact.phone);
}

// [kind, value] pairs from a message or request body: keys read as field names, nested
// objects and arrays walked breadth-first (so outer keys win), at most 200 values.
export function pairsOfData(data) {
  const pairs = [];
  const queue = [data];
  for (let seen = 0; queue.length && seen < 200; seen++) {
    const item = queue.shift();
    if (!item || typeof item !== "object") continue;
    for (const key of Object.keys(item)) {
      const value = item[key];
      if (value && typeof value === "object") queue.push(value);
      else pairs.push([fieldKind("", key, ""), value]);
    }
  }
  return pairs;
}

// JSON text parsed, or the value itself; an unreadable string gives null.
export function parsed(value) {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (!/^[[{]/.test(text)) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
