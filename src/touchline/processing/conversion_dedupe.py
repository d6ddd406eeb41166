"""Which new conversions count (CHECKLIST §3.11), which payment each refund reduces, and what a
repeated delivery of a counted payment adds to it (its checkout's campaign data and visitor).

Set-based: each rule reads what the whole batch needs in one query, whatever its size.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from touchline.domain.goals import BOOKING_GOAL
from touchline.processing import conversion_queries as q
from touchline.store.base import EventStore

Row = dict[str, Any]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
CAMPAIGN_DATA: Final = (
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "campaign_id",
    "ad_set_id", "ad_id", "click_id_type", "click_id",
)  # fmt: skip
PERSON: Final = ("identity_kind", "identity_value")


def fresh(store: EventStore, rows: list[Row]) -> list[Row]:
    """The rows that count, oldest first: not recorded before (a replayed batch), the first of
    their provider ref for their goal (refunds apart), one booking per visitor session."""
    rows = sorted(rows, key=lambda r: (r["ts"], r["conversion_id"]))
    rows = _new_ids(store, rows)
    rows = _first_refs(store, rows)
    return _one_booking_per_session(store, rows)


def _profiles(rows: Iterable[Row]) -> list[str]:
    return sorted({r["profile_id"] for r in rows})


def _new_ids(store: EventStore, rows: list[Row]) -> list[Row]:
    if not rows:
        return rows
    sql = q.stored_ids(_profiles(rows), [r["conversion_id"] for r in rows])
    seen = {(str(p), str(c)) for p, c in store.query(sql)}
    out = []
    for row in rows:
        key = (row["profile_id"], row["conversion_id"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


RefKey = tuple[str, str, str, bool]


def _ref_keys(row: Row) -> list[RefKey]:
    """What a conversion counts once under: its provider ref and its checkout's (Shopify's pixel
    may know only the checkout token), each per (profile, goal), refunds apart."""
    refs = dict.fromkeys((row["provider_ref"], row.get("checkout_ref") or ""))
    refund = bool(row["refund_of"])
    return [(row["profile_id"], row["goal_key"], ref, refund) for ref in refs if ref]


def _first_refs(store: EventStore, rows: list[Row]) -> list[Row]:
    """A payment, order or deal delivered twice (two webhooks, a pixel and a webhook) counts
    once per goal: a second delivery naming the same provider ref or the same checkout is
    dropped. A refund's own ref dedupes refunds."""
    keyed = [(row, _ref_keys(row)) for row in rows]
    refs = [key[2] for _, keys in keyed for key in keys]
    if not refs:
        return rows
    seen: set[RefKey] = set()
    for profile_id, goal, ref, checkout, refund in store.query(
        q.stored_refs(_profiles(rows), refs)
    ):
        seen.update(
            (str(profile_id), str(goal), str(r), bool(refund)) for r in (ref, checkout) if r
        )
    out = []
    for row, keys in keyed:
        if any(key in seen for key in keys):
            continue
        seen.update(keys)
        out.append(row)
    return out


def _micros(ts: datetime) -> int:
    aware = ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)
    return (aware - EPOCH) // MICROSECOND


class _Sessions:
    """Visitors' sessions as sorted (start µs, end µs, session key) lists."""

    def __init__(self, found: Iterable[tuple[Any, ...]]) -> None:
        self.spans: dict[int, list[tuple[int, int, int]]] = {}
        for visitor, session, start, end in found:
            self.spans.setdefault(int(visitor), []).append((int(start), int(end), int(session)))
        for spans in self.spans.values():
            spans.sort()

    def key(self, visitor: int, at_us: int) -> tuple[int, int]:
        """The session covering the moment, or the moment itself when none does."""
        spans = self.spans.get(visitor, [])
        at = bisect.bisect_right(spans, (at_us, 2**63, 2**64)) - 1
        if at >= 0 and spans[at][0] <= at_us <= spans[at][1]:
            return (visitor, spans[at][2])
        return (visitor, -at_us - 1)  # no session: never equal to a session key (≥ 0)

    @property
    def bounds(self) -> tuple[int, int]:
        spans = [s for v in self.spans.values() for s in v]
        return min(s[0] for s in spans), max(s[1] for s in spans)


def _one_booking_per_session(store: EventStore, rows: list[Row]) -> list[Row]:
    """An appointment booked twice in one visit (the thank-you page reloaded) counts once."""
    bookings = [r for r in rows if r["goal_key"] == BOOKING_GOAL and r["visitor_key"]]
    if not bookings:
        return rows
    visitors = [int(r["visitor_key"]) for r in bookings]
    moments = [_micros(r["ts"]) for r in bookings]
    sessions = _Sessions(store.query(q.visitor_sessions(visitors, min(moments), max(moments))))
    taken: set[tuple[int, int]] = set()
    if sessions.spans:
        start, end = sessions.bounds
        for visitor, at_us in store.query(q.stored_bookings(BOOKING_GOAL, visitors, start, end)):
            taken.add(sessions.key(int(visitor), int(at_us)))
    out = []
    for row in rows:
        if row["goal_key"] == BOOKING_GOAL and row["visitor_key"]:
            key = sessions.key(int(row["visitor_key"]), _micros(row["ts"]))
            if key in taken:
                continue
            taken.add(key)
        out.append(row)
    return out


def link_refunds(store: EventStore, rows: list[Row]) -> list[Row]:
    """Point each new refund's `refund_of` (the payment's provider ref) at the payment's
    conversion id, in the batch or recorded; an unknown payment waits as `unmatched:<ref>`.
    Returns recorded refunds that were waiting for one of the batch's payments, relinked (the
    caller writes them at the new version)."""
    payments: dict[tuple[str, str], str] = {}
    refunds = [r for r in rows if r["refund_of"]]
    wanted = [r["refund_of"] for r in refunds if r["refund_of"] != q.UNMATCHED]
    if wanted:
        for profile_id, ref, conversion_id in store.query(q.payments_of(_profiles(rows), wanted)):
            payments.setdefault((str(profile_id), str(ref)), str(conversion_id))
    for row in sorted(rows, key=lambda r: r["revenue_type"] != "cash"):  # stable: oldest next
        if row["provider_ref"] and not row["refund_of"]:
            payments.setdefault((row["profile_id"], row["provider_ref"]), row["conversion_id"])
    for row in refunds:
        ref = row["refund_of"]
        if ref != q.UNMATCHED:
            row["refund_of"] = payments.get((row["profile_id"], ref), q.UNMATCHED + ref)
    return _waiting_refunds(store, rows, payments)


def _waiting_refunds(
    store: EventStore, rows: list[Row], payments: dict[tuple[str, str], str]
) -> list[Row]:
    refs = [r["provider_ref"] for r in rows if r["provider_ref"] and not r["refund_of"]]
    if not refs:
        return []
    waiting = store.query_arrow(q.waiting_refunds(_profiles(rows), refs)).to_pylist()
    relinked = []
    for refund in waiting:
        ref = str(refund["refund_of"]).removeprefix(q.UNMATCHED)
        payment = payments.get((refund["profile_id"], ref))
        if payment is not None:
            relinked.append({**refund, "refund_of": payment})
    return relinked


def complete_counted(store: EventStore, built: list[Row], counted: list[Row]) -> list[Row]:
    """Fill what the counted conversion of a provider ref (or checkout) lacks from the
    deliveries that did not count: its campaign data (as a whole), its visitor, its person, its
    checkout. One payment arrives as a charge, an intent and a checkout session in any order,
    and only the checkout carries the Payment Link's metadata; a Shopify order comes from the
    pixel and the webhook. Batch rows are completed in place; returns the recorded ones that
    changed (the caller rewrites them at the new version). Never overwrites a value."""
    kept = {(r["profile_id"], r["conversion_id"]) for r in counted}
    extra = [(r, _ref_keys(r)) for r in built if _has_refs(r)
             and (r["profile_id"], r["conversion_id"]) not in kept]  # fmt: skip
    if not extra:
        return []
    targets = {key: r for r in counted if _has_refs(r) for key in _ref_keys(r)}
    unseen = [key[2] for _, keys in extra if _found(targets, keys) is None for key in keys]
    recorded: dict[RefKey, Row] = {}
    if unseen:
        profiles = _profiles(row for row, _ in extra)
        found = store.query_arrow(q.counted_payments(profiles, unseen)).to_pylist()
        recorded = {key: r for r in found for key in _ref_keys(r)}
    changed: dict[tuple[str, str], Row] = {}
    for row, keys in sorted(extra, key=lambda e: (e[0]["ts"], e[0]["conversion_id"])):
        in_batch = _found(targets, keys)
        target = in_batch or _found(recorded, keys)
        if target is not None and _filled(target, row) and in_batch is None:
            changed[(target["profile_id"], target["conversion_id"])] = target
    return list(changed.values())


def _found(rows: dict[RefKey, Row], keys: list[RefKey]) -> Row | None:
    """The row under the first of `keys` present (the provider ref before the checkout)."""
    return next((rows[key] for key in keys if key in rows), None)


def _has_refs(row: Row) -> bool:
    return bool(row["provider_ref"] or row.get("checkout_ref")) and not row["refund_of"]


def _filled(target: Row, source: Row) -> bool:
    """Copy `source`'s values into `target`'s empty ones; whether anything changed."""
    changed = False
    if not any(target[f] for f in CAMPAIGN_DATA) and any(source[f] for f in CAMPAIGN_DATA):
        target.update({f: source[f] for f in CAMPAIGN_DATA})
        changed = True
    if not target["visitor_key"] and source["visitor_key"]:
        target["visitor_key"] = source["visitor_key"]
        changed = True
    if not target["identity_value"] and source["identity_value"]:
        target.update({f: source[f] for f in PERSON})
        changed = True
    if not target.get("checkout_ref") and source.get("checkout_ref"):
        target["checkout_ref"] = source["checkout_ref"]
        changed = True
    return changed
