"""The event plane's half of an erase (identity/erase.py): every copy of the customer's
identifier values becomes its `erased:` token, and the PII the customer's events carry
(identity and payload JSON, user ids, visitor ids, emails and phones in URLs) is removed.

Rows are rewritten, not updated: selected, changed in Python, deleted by key and appended
again with the same version (so nothing downstream sees them as new), in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

import orjson
import pyarrow as pa

from touchline.domain.identity import (
    IDENTITY_FIELDS,
    NAME_FIELDS,
    IdentifierKind,
    erased_value,
    normalize,
)
from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.processing.conversions import json_object
from touchline.store.base import EventStore, Sql

ERASED: Final = "erased"
MIN_TEXT: Final = 3  # shorter strings are never hunted for in free text
# Payload keys that name a person, wherever they sit (provider payloads, raw bodies).
PERSON_KEYS: Final = frozenset(
    {*IDENTITY_FIELDS, *NAME_FIELDS, "full_name", "customer_email", "receipt_email",
     "payer_email", "contact_email", "customer_name", "billing_name", "shipping_name"}
)  # fmt: skip
EVENT_ID: Final = "CASE WHEN event_key = '' THEN CAST(event_uuid AS VARCHAR) ELSE event_key END"
URL_COLUMNS: Final = ("url", "referrer", "landing_url", "entry_path", "exit_path", "path")
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ErasurePlan:
    """What the control plane replaced: (kind, old value) → token; the erased visitors' keys;
    lowercased identifying strings (emails, phones, ids) to remove from any text, and the
    person's names, removed only from the customer's own events (a name is too common a
    word to hunt for in other people's)."""

    profile_id: str
    replaced: Mapping[tuple[str, str], str]
    visitor_keys: tuple[int, ...]
    texts: tuple[str, ...]
    names: tuple[str, ...] = ()
    phone_region: str | None = None

    @property
    def pairs(self) -> list[str]:
        return [f"{kind}:{value}" for kind, value in self.replaced]

    def token(self, kind: str, value: str) -> str | None:
        return self.replaced.get((kind, value))


@dataclass(slots=True)
class Scrubbed:
    """Rows rewritten per table."""

    tables: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True, slots=True)
class Target:
    table: str  # logical table read and appended
    physical: str  # where rows are deleted
    key: str  # the row key (a VARCHAR expression over `physical`)
    key_column: str  # the same key as a column of the logical table
    where: str  # candidates (bound parameters only)
    key_path: bool = False  # the key is `key_column || '|' || path` (a row per page)

    def key_of(self, row: Row) -> str:
        key = str(row[self.key_column])
        return f"{key}|{row['path']}" if self.key_path else key


OWNED_IDENTITY: Final = (
    "(list_contains($pairs, identity_kind || ':' || identity_value)"
    " OR list_contains($visitors, CAST(visitor_key AS VARCHAR)))"
)
TARGETS: Final = (
    Target("conversions", "conversions", "conversion_id", "conversion_id", OWNED_IDENTITY),
    Target("touch_rows", "touch_rows", "CAST(touch_key AS VARCHAR)", "touch_key", OWNED_IDENTITY),
    Target(
        "sessions", "sessions", "CAST(session_key AS VARCHAR)", "session_key",
        "list_contains($visitors, CAST(visitor_key AS VARCHAR))",
    ),
    Target(
        "session_pages", "session_pages", "CAST(session_key AS VARCHAR) || '|' || path",
        "session_key", "list_contains($visitors, CAST(visitor_key AS VARCHAR))", key_path=True,
    ),
    Target(
        "calendar_events", "calendar_events", "appointment_id", "appointment_id",
        "list_contains($contacts, contact_id)",
    ),
    Target(
        "events", "event_rows", EVENT_ID, "event_id",
        "(list_contains($visitors, CAST(visitor_key AS VARCHAR)) OR coalesce(identity, '') <> ''"
        " OR NOT list_contains($first_party, origin))",
    ),
)  # fmt: skip


def scrub_event_plane(store: EventStore, plan: ErasurePlan) -> Scrubbed:
    params = _params(plan)
    done = Scrubbed()
    with store.transaction():
        store.execute(
            Sql(
                "DELETE FROM identity_map WHERE profile_id = $profile"
                " AND list_contains($pairs, kind || ':' || value)",
                {"profile": plan.profile_id, "pairs": plan.pairs},
            )
        )
        for target in TARGETS:
            done.tables[target.table] = _rewrite(store, target, params, _scrubber(plan, target))
    return done


def _params(plan: ErasurePlan) -> dict[str, Any]:
    contacts = [v for (k, v) in plan.replaced if k == IdentifierKind.GHL_CONTACT.value]
    return {
        "profile": plan.profile_id,
        "pairs": plan.pairs,
        "visitors": [str(k) for k in plan.visitor_keys],
        "contacts": contacts,
        "first_party": sorted(FIRST_PARTY_ORIGINS),
    }


def _rewrite(
    store: EventStore, target: Target, params: dict[str, Any], scrub: Callable[[Row], bool]
) -> int:
    where = f"profile_id = $profile AND {target.where}"
    select = Sql(f"SELECT * FROM {target.table} WHERE {where}", _used(where, params))
    found = store.query_arrow(select)
    keys, changed = [], []
    for row in found.to_pylist():
        key = target.key_of(row)  # before the scrub: a page's key holds its path
        if scrub(row):
            keys.append(key)
            changed.append(row)
    if not changed:
        return 0
    store.execute(
        Sql(
            f"DELETE FROM {target.physical} WHERE profile_id = $profile"
            f" AND list_contains($keys, {target.key})",
            {"profile": params["profile"], "keys": keys},
        )
    )
    store.append(target.table, pa.Table.from_pylist(changed, schema=found.schema))
    return len(changed)


def _used(text: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if f"${k}" in text}


def _scrubber(plan: ErasurePlan, target: Target) -> Callable[[Row], bool]:
    if target.table == "events":
        return lambda row: _event(row, plan)
    texts = _patterns(plan.texts)

    def scrub(row: Row) -> bool:
        before = dict(row)
        if row.get("identity_kind"):
            token = plan.token(str(row["identity_kind"]), str(row.get("identity_value") or ""))
            row["identity_value"] = token or row["identity_value"]
        if row.get("contact_id"):
            row["contact_id"] = plan.token(IdentifierKind.GHL_CONTACT.value, row["contact_id"]) \
                or row["contact_id"]  # fmt: skip
        for column in URL_COLUMNS:
            if isinstance(row.get(column), str):
                row[column] = _replace(row[column], texts)
        return row != before

    return scrub


def _event(row: Row, plan: ErasurePlan) -> bool:
    """An event of the customer (their visitor, or an identity naming them) loses every person
    field; any event loses the customer's emails, phones and ids in its text."""
    before = dict(row)
    identity = json_object(row.get("identity"))
    own = int(row.get("visitor_key") or 0) in plan.visitor_keys or _names_customer(identity, plan)
    extra = _raw_values(identity) if own else []
    texts = _patterns((*plan.texts, *extra))
    in_json = _patterns((*plan.texts, *extra, *plan.names)) if own else texts
    if own and PERSON_KEYS & identity.keys():
        row["identity"] = _dump({k: v for k, v in identity.items() if k not in PERSON_KEYS})
    if int(row.get("visitor_key") or 0) in plan.visitor_keys and row.get("anonymous_id"):
        row["anonymous_id"] = erased_value(
            IdentifierKind.ANONYMOUS_ID, "", visitor_key=int(row["visitor_key"])
        )
    if row.get("user_id"):
        token = plan.token(IdentifierKind.USER_ID.value, str(row["user_id"]))
        row["user_id"] = token or (ERASED if own else row["user_id"])
    payload = json_object(row.get("payload"))
    cleaned = _clean(payload, in_json, own=own)
    if cleaned != payload:
        row["payload"] = _dump(cleaned)
    for column in URL_COLUMNS:
        if isinstance(row.get(column), str):
            row[column] = _replace(row[column], texts)
    return row != before


def _names_customer(identity: Mapping[str, Any], plan: ErasurePlan) -> bool:
    for name, kind in IDENTITY_FIELDS.items():
        raw = identity.get(name)
        if isinstance(raw, str | int) and not isinstance(raw, bool) and str(raw):
            value = normalize(kind, str(raw), plan.phone_region)
            if value is not None and plan.token(kind.value, value) is not None:
                return True
    return False


def _raw_values(identity: Mapping[str, Any]) -> list[str]:
    """The values as the event spelt them (a phone's spaces, an email's capitals)."""
    return [
        str(v).lower()
        for k, v in identity.items()
        if k in IDENTITY_FIELDS and len(str(v).strip()) >= MIN_TEXT
    ]


def _clean(value: Any, texts: re.Pattern[str] | None, *, own: bool) -> Any:
    if isinstance(value, dict):
        return {
            k: ERASED if own and k in PERSON_KEYS and isinstance(v, str) and v
            else _clean(v, texts, own=own)
            for k, v in value.items()
        }  # fmt: skip
    if isinstance(value, list):
        return [_clean(v, texts, own=own) for v in value]
    if isinstance(value, str):
        return _replace(value, texts)
    return value


def _patterns(texts: tuple[str, ...] | list[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for the texts and their URL-encoded forms."""
    forms = {t for text in texts if text for t in (text, quote(text, safe=""), quote(text))}
    if not forms:
        return None
    ordered = sorted(forms, key=len, reverse=True)  # the longest form wins an overlap
    return re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)


def _replace(text: str, pattern: re.Pattern[str] | None) -> str:
    return text if pattern is None or not text else pattern.sub(ERASED, text)


def _dump(value: Mapping[str, Any]) -> str:
    return orjson.dumps(value).decode() if value else ""
