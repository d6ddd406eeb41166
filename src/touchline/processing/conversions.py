"""After each load: events matched by a goal become conversions — value normalized into the
profile's reporting currency at the rate of the conversion date, deduplicated, refunds linked
to their payment. See docs/goals-and-conversions.md."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from touchline.control.db import Database
from touchline.control.repos import fx_rates
from touchline.control.repos import goals as goal_repo
from touchline.control.repos.fx_rates import RateBook
from touchline.domain import goals
from touchline.domain.identity import identifiers_of, strongest
from touchline.domain.money import convert, stored
from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.ingest.context import ProfileContext
from touchline.processing.versions import Clock, next_version, wall_clock_us
from touchline.store.base import EventStore, Sql
from touchline.store.schema import CONVERSIONS, arrow_schema

log = logging.getLogger(__name__)
SCHEMA = arrow_schema(CONVERSIONS.columns)
CAMPAIGN_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
AD_FIELDS = ("campaign_id", "ad_set_id", "ad_id")
CLICK_IDS = ("gclid", "msclkid", "ttclid", "fbclid")  # precedence as domain/channels.py


@dataclass(frozen=True, slots=True)
class ProfileRules:
    context: ProfileContext
    goals: tuple[goals.GoalDefinition, ...]
    stages: Mapping[str, str]
    rates: RateBook


def record_conversions(
    *,
    database: Database,
    store: EventStore,
    new_rows: pa.Table,
    profiles: Mapping[str, ProfileContext],
    clock: Clock = wall_clock_us,
) -> int:
    """Append the batch's conversions; returns how many were written."""
    candidates = _candidates(new_rows)
    if not candidates:
        return 0
    rules = _rules(database, candidates, profiles)
    out: list[dict[str, Any]] = []
    seen_refs: set[tuple[str, str]] = set()
    stored_ids = _stored_ids(store, candidates)
    for event in candidates:
        profile = rules.get(event["profile_id"])
        if profile is None or (event["profile_id"], event["event_id"]) in stored_ids:
            continue
        try:
            row = _conversion(event, profile)
        except (ValueError, ArithmeticError) as error:
            log.warning("conversions: skipped event %s: %s", event["event_id"], error)
            continue
        if row is None or not _first_of_its_kind(store, row, seen_refs, out):
            continue
        out.append(row)
    if not out:
        return 0
    _link_refunds(store, out)
    with store.transaction():
        version = next_version(store, "conversions", clock)
        for row in out:
            row["version"] = version
        store.append("conversions", pa.Table.from_pylist(out, schema=SCHEMA))
    return len(out)


def _candidates(new_rows: pa.Table) -> list[dict[str, Any]]:
    never = pa.array(sorted(goals.NEVER_CONVERSION_TYPES))
    rows = new_rows.filter(pc.invert(pc.is_in(new_rows["type"], value_set=never)))
    return [r for r in rows.to_pylist() if r["name"] and r["name"] not in goals.NEVER_CONVERSIONS]


def _rules(
    database: Database, events: list[dict[str, Any]], profiles: Mapping[str, ProfileContext]
) -> dict[str, ProfileRules]:
    out = {}
    with database.transaction() as session:
        for profile_id in sorted({e["profile_id"] for e in events}):
            context = profiles.get(profile_id)
            if context is None:
                continue
            goal_repo.ensure_defaults(session, profile_id)
            currencies = {e["currency"] for e in events if e["currency"]} | {context.currency}
            if len(currencies) > 1:
                fx_rates.seed_ecb(session)
            out[profile_id] = ProfileRules(
                context=context,
                goals=tuple(goal_repo.list_goals(session, profile_id)),
                stages=goal_repo.stage_mappings(session, profile_id),
                rates=RateBook.load(session, currencies),
            )
    return out


def _conversion(event: dict[str, Any], profile: ProfileRules) -> dict[str, Any] | None:
    payload = _json(event["payload"])
    goal, refund = _goal_of(event, payload, profile)
    if goal is None:
        return None
    browser = event["origin"] in FIRST_PARTY_ORIGINS
    ids = identifiers_of(
        _json(event["identity"]),
        anonymous_id=event["anonymous_id"] if browser else "",
        user_id=event["user_id"] or "",
        region=profile.context.phone_region,
    )
    kind, value = strongest(ids) or ("", "")
    amount = None if event["revenue"] is None else Decimal(str(event["revenue"]))
    if refund and amount is not None:
        amount = -abs(amount)
    row = {
        "profile_id": event["profile_id"],
        "conversion_id": event["event_id"],
        "goal_key": goal.key,
        "event_name": event["name"],
        "revenue_type": goal.revenue_type.value,
        "attribution_eligible": goal.attribution_eligible,
        "ts": event["ts"],
        "visitor_key": event["visitor_key"] if browser else 0,
        "identity_kind": str(kind),
        "identity_value": value,
        "provider_ref": str(payload.get("provider_ref") or "")[:200],
        "refund_of": str(payload.get("refund_of") or "")[:200] if refund else "",
        "origin": event["origin"],
        **_money(amount, event["currency"] or "", event["ts"], profile),
        **_campaign(event, payload, browser),
    }
    return row


def _goal_of(
    event: dict[str, Any], payload: dict[str, Any], profile: ProfileRules
) -> tuple[goals.GoalDefinition | None, bool]:
    name = event["name"]
    if name in goals.REFUND_EVENTS:
        cash = next((g for g in profile.goals if g.key == "payment_received"), None)
        return cash, True
    if name == goals.STAGE_EVENT:
        key = goals.stage_goal(
            str(payload.get("stage") or ""),
            is_first_stage=bool(payload.get("is_first_stage")),
            overrides=profile.stages,
        )
        known = {g.key: g for g in profile.goals}
        if key in known:
            return known[key], False
        if key in goals.PIPELINE_KEYS:
            return goals.GoalDefinition(key, key, (name,), goals.PIPELINE), False
        return None, False
    return goals.match(event["type"], name, profile.goals), False


def _money(
    amount: Decimal | None, currency: str, ts: datetime, profile: ProfileRules
) -> dict[str, Any]:
    target = profile.context.currency
    if amount is None:
        return {"value": None, "currency": "", "reporting_value": None,
                "reporting_currency": target, "fx_rate": None, "fx_status": "none"}  # fmt: skip
    day = ts.astimezone(ZoneInfo(profile.context.timezone)).date()
    rate = profile.rates.rate(currency.upper(), target, day)
    status = "same" if currency.upper() == target else ("converted" if rate else "unconverted")
    return {
        "value": stored(amount),
        "currency": currency.upper(),
        "reporting_value": convert(amount, rate) if rate is not None else None,
        "reporting_currency": target,
        "fx_rate": rate,
        "fx_status": status,
    }


def _campaign(event: dict[str, Any], payload: dict[str, Any], browser: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in CAMPAIGN_FIELDS:
        out[name] = (event[name] if browser else "") or str(payload.get(name) or "")[:500]
    for name in AD_FIELDS:
        out[name] = str(payload.get(name) or "")[:200]
    click_type, click = (event["click_id_type"], event["click_id"]) if browser else ("", "")
    if not click:
        click_type = next((c for c in CLICK_IDS if payload.get(c)), "")
        click = str(payload.get(click_type) or "")[:500] if click_type else ""
    return {**out, "click_id_type": click_type or "", "click_id": click or ""}


def _first_of_its_kind(
    store: EventStore, row: dict[str, Any], seen: set[tuple[str, str]], batch: list[dict[str, Any]]
) -> bool:
    """Dedupe: a provider payment/order counts once; a booking once per visitor session."""
    ref = row["provider_ref"]
    if ref and not row["refund_of"]:
        key = (row["profile_id"], ref)
        if key in seen or _stored_ref(store, row["profile_id"], ref):
            return False
        seen.add(key)
    if row["goal_key"] == "appointment_booked" and row["visitor_key"]:
        return not _booked_in_session(store, row, batch)
    return True


def _stored_ref(store: EventStore, profile_id: str, ref: str) -> bool:
    sql = Sql(
        "SELECT count(*) FROM conversions WHERE profile_id = $p AND provider_ref = $ref"
        " AND refund_of = ''",
        {"p": profile_id, "ref": ref},
    )
    return bool(store.query(sql)[0][0])


def _booked_in_session(store: EventStore, row: dict[str, Any], batch: list[dict[str, Any]]) -> bool:
    span = store.query(
        Sql(
            "SELECT min(started_at), max(ended_at) FROM sessions WHERE profile_id = $p"
            " AND visitor_key = $v AND started_at <= $ts AND ended_at >= $ts",
            {"p": row["profile_id"], "v": row["visitor_key"], "ts": row["ts"]},
        )
    )[0]
    start, end = span if span[0] is not None else (row["ts"], row["ts"])
    for other in batch:
        if (other["goal_key"] == "appointment_booked" and other["visitor_key"] == row["visitor_key"]
                and start <= other["ts"] <= end):  # fmt: skip
            return True
    sql = Sql(
        "SELECT count(*) FROM conversions WHERE profile_id = $p AND goal_key = 'appointment_booked'"
        " AND visitor_key = $v AND ts BETWEEN $start AND $end",
        {"p": row["profile_id"], "v": row["visitor_key"], "start": start, "end": end},
    )
    return bool(store.query(sql)[0][0])


def _link_refunds(store: EventStore, rows: list[dict[str, Any]]) -> None:
    """`refund_of` arrives as the payment's provider_ref; store the payment's conversion_id."""
    for row in rows:
        ref = row["refund_of"]
        if not ref:
            continue
        payments = (r for r in rows if r["profile_id"] == row["profile_id"] and not r["refund_of"])
        in_batch = next((r["conversion_id"] for r in payments if r["provider_ref"] == ref), None)
        if in_batch is None:
            found = store.query(
                Sql(
                    "SELECT min(conversion_id) FROM conversions WHERE profile_id = $p"
                    " AND provider_ref = $ref AND refund_of = ''",
                    {"p": row["profile_id"], "ref": ref},
                )
            )[0][0]
            in_batch = found
        row["refund_of"] = in_batch or f"unmatched:{ref}"


def _stored_ids(store: EventStore, events: Iterable[dict[str, Any]]) -> set[tuple[str, str]]:
    ids = sorted({e["event_id"] for e in events})
    rows = store.query(
        Sql(
            "SELECT profile_id, conversion_id FROM conversions"
            " WHERE list_contains($ids, conversion_id)",
            {"ids": ids},
        )
    )
    return {(str(p), str(c)) for p, c in rows}


def _json(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
