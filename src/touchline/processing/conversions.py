"""After each load: events matched by a goal become conversions — value normalized into the
profile's reporting currency at the rate of the conversion date, deduplicated, refunds linked
to their payment. See docs/goals-and-conversions.md."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from touchline.control.db import Database
from touchline.control.repos import fx_rates
from touchline.control.repos import goals as goal_repo
from touchline.control.repos.fx_rates import RateBook
from touchline.domain import goals
from touchline.domain.goals import GoalDefinition
from touchline.domain.identity import identifiers_of, strongest, visitor_anonymous_id
from touchline.domain.money import convert, stored
from touchline.domain.sessions import FIRST_PARTY_ORIGINS
from touchline.domain.visitors import visitor_key
from touchline.ingest.context import ProfileContext
from touchline.processing import conversion_queries as q
from touchline.processing.conversion_dedupe import complete_counted, fresh, link_refunds
from touchline.processing.versions import Clock, drop_superseded, next_version, wall_clock_us
from touchline.store.base import EventStore
from touchline.store.schema import CONVERSIONS, arrow_schema

log = logging.getLogger(__name__)
SCHEMA: Final = arrow_schema(CONVERSIONS.columns)
EVENT_FIELDS: Final = (
    "profile_id", "event_id", "type", "name", "ts", "anonymous_id", "visitor_key", "user_id",
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "click_id_type",
    "click_id", "revenue", "currency", "payload", "identity", "origin",
)  # fmt: skip
CAMPAIGN_FIELDS: Final = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
AD_FIELDS: Final = ("campaign_id", "ad_set_id", "ad_id")
CLICK_IDS: Final = ("gclid", "msclkid", "ttclid", "fbclid")  # precedence as domain/channels.py
NEGATIVE_KEYS: Final = frozenset({"disqualified", "no_show", "closed_lost"})
MAX_TEXT: Final = 500
MAX_REF: Final = 200


@dataclass(frozen=True, slots=True)
class ProfileRules:
    """What a batch needs of one profile: its settings, goals, stage overrides and rates."""

    context: ProfileContext
    goals: tuple[GoalDefinition, ...]
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
    """Append the batch's conversions; returns how many were written. Idempotent: a replayed
    batch writes nothing. A bad event is logged and skipped, never raised."""
    events = _candidates(new_rows)
    if not events:
        return 0
    rules = _rules(database, events, profiles)
    built = [row for e in events if (row := _built(e, rules.get(e["profile_id"]))) is not None]
    rows = fresh(store, built)
    rewritten = complete_counted(store, built, rows)
    if not rows and not rewritten:
        return 0
    rewritten += link_refunds(store, rows)
    with store.transaction():
        version = next_version(store, "conversions", clock)
        store.append("conversions", _table([*rows, *rewritten], version))
        if rewritten:
            drop_superseded(store, "conversions", q.KEY, version)
    return len(rows)


def reconvert(
    *, database: Database, store: EventStore, profile: ProfileContext, clock: Clock = wall_clock_us
) -> int:
    """Value the profile's conversions again at today's rate book (rates imported since, a
    changed reporting currency); rewrites only the rows whose reporting value changed."""
    rows = store.query_arrow(q.valued(profile.profile_id)).to_pylist()
    foreign = {str(r["currency"]) for r in rows} - {profile.currency}
    if not foreign:
        rules = ProfileRules(profile, (), {}, RateBook())
    else:
        ensure_rates(database)
        with database.read() as session:
            start = min(_local_day(r["ts"], profile) for r in rows)
            rates = RateBook.load(session, foreign | {profile.currency}, start=start)
        rules = ProfileRules(profile, (), {}, rates)
    changed = [r for r in rows if _revalued(r, rules)]
    if changed:
        with store.transaction():
            version = next_version(store, "conversions", clock)
            store.append("conversions", _table(changed, version))
            drop_superseded(store, "conversions", q.KEY, version)
    return len(changed)


def _revalued(row: dict[str, Any], rules: ProfileRules) -> bool:
    """Update the row's reporting fields in place; whether they changed."""
    try:
        money = _money(row["value"], row["currency"], row["ts"], rules)
    except (ValueError, ArithmeticError) as error:
        log.warning("conversions: %s not revalued: %s", row["conversion_id"], error)
        return False
    before = {k: row[k] for k in money}
    row.update(money)
    return money != before


def _candidates(new_rows: pa.Table) -> list[dict[str, Any]]:
    """The batch's events that could match a goal, as dicts of the fields this step reads."""
    kinds = pa.array(sorted(goals.CONVERSION_TYPES))
    never = pa.array(sorted(goals.NEVER_CONVERSIONS | {""}))
    keep = pc.and_(
        pc.is_in(new_rows["type"], value_set=kinds),
        pc.invert(pc.is_in(new_rows["name"], value_set=never)),
    )
    events: list[dict[str, Any]] = new_rows.filter(keep).select(list(EVENT_FIELDS)).to_pylist()
    return events


def _rules(
    database: Database, events: list[dict[str, Any]], profiles: Mapping[str, ProfileContext]
) -> dict[str, ProfileRules]:
    contexts = {}
    for profile_id in sorted({e["profile_id"] for e in events}):
        context = profiles.get(profile_id)
        if context is None:
            log.warning("conversions: events of unknown profile %s skipped", profile_id)
        else:
            contexts[profile_id] = context
    foreign = {p: _currencies(events, c) for p, c in contexts.items()}
    _prepare(database, contexts, seed=any(foreign.values()))
    out = {}
    with database.read() as session:
        for profile_id, context in contexts.items():
            out[profile_id] = ProfileRules(
                context=context,
                goals=tuple(goal_repo.list_goals(session, profile_id)),
                stages=goal_repo.stage_mappings(session, profile_id),
                rates=_rate_book(session, events, context, foreign[profile_id]),
            )
    return out


def ensure_rates(database: Database) -> None:
    """ECB's daily history in `fx_rates`, seeded once per package version (other steps that
    value money at a day's rate — ad spend — call this before loading a rate book)."""
    _prepare(database, {}, seed=True)


def _prepare(database: Database, contexts: Mapping[str, ProfileContext], *, seed: bool) -> None:
    """Write only when needed (a write transaction takes the control plane's lock): default
    goals of profiles made before goals existed, and ECB's history once per package."""
    with database.read() as session:
        lacking = [p for p in contexts if goal_repo.missing_defaults(session, p)]
        seed = seed and fx_rates.needs_seed(session)
    if lacking or seed:
        with database.transaction() as session:
            for profile_id in lacking:
                goal_repo.ensure_defaults(session, profile_id)
            if seed:
                fx_rates.seed_ecb(session)


def _currencies(events: Iterable[dict[str, Any]], context: ProfileContext) -> set[str]:
    """Currencies of the profile's valued events other than its reporting currency."""
    return {
        str(e["currency"]).upper()
        for e in events
        if e["profile_id"] == context.profile_id and e["revenue"] is not None and e["currency"]
    } - {context.currency}


def _rate_book(
    session: Any, events: list[dict[str, Any]], context: ProfileContext, foreign: set[str]
) -> RateBook:
    if not foreign:
        return RateBook()  # every value is already in the reporting currency
    times = [e["ts"] for e in events if e["profile_id"] == context.profile_id]
    start, end = min(times).date() - timedelta(days=1), max(times).date() + timedelta(days=1)
    return RateBook.load(session, foreign | {context.currency}, start=start, end=end)


def _built(event: dict[str, Any], rules: ProfileRules | None) -> dict[str, Any] | None:
    if rules is None:
        return None
    try:
        return _conversion(event, rules)
    except (ValueError, TypeError, ArithmeticError) as error:
        log.warning("conversions: skipped event %s: %s", event["event_id"], error)
        return None


def _conversion(event: dict[str, Any], rules: ProfileRules) -> dict[str, Any] | None:
    payload = json_object(event["payload"])
    goal, refund = _goal_of(event, payload, rules)
    if goal is None:
        return None
    browser = event["origin"] in FIRST_PARTY_ORIGINS
    amount = _amount(event["revenue"], refund=refund)
    return {
        "profile_id": event["profile_id"],
        "conversion_id": event["event_id"],
        "goal_key": goal.key,
        "event_name": event["name"],
        "revenue_type": goal.revenue_type.value,
        "attribution_eligible": goal.attribution_eligible,
        "ts": event["ts"],
        "visitor_key": _visitor_key(event, payload, browser),
        **_person(event, payload, browser, rules.context),
        "provider_ref": _text(payload.get("provider_ref"), MAX_REF),
        "refund_of": _refund_ref(payload) if refund else "",
        "checkout_ref": "" if refund else _text(payload.get("checkout_token"), MAX_REF),
        "origin": event["origin"],
        **_money(amount, event["currency"] or "", event["ts"], rules),
        **_campaign(event, payload, browser),
    }


def _goal_of(
    event: dict[str, Any], payload: dict[str, Any], rules: ProfileRules
) -> tuple[GoalDefinition | None, bool]:
    """The event's goal and whether it is a refund (negative cash)."""
    name = event["name"]
    known = {g.key: g for g in rules.goals}
    if name in goals.REFUND_EVENTS:
        return known.get(goals.CASH_GOAL), True
    if name == goals.STAGE_EVENT:
        key = goals.stage_goal(
            _text(payload.get("stage"), MAX_TEXT),
            is_first_stage=payload.get("is_first_stage") is True,
            overrides=rules.stages,
        )
        if key is None or key in known:
            return (known[key] if key else None), False
        if key in goals.PIPELINE_KEYS:  # recognized, not created as a goal (§9 #63)
            eligible = key not in NEGATIVE_KEYS
            return GoalDefinition(key, key, (name,), goals.PIPELINE, eligible), False
        return None, False
    return goals.match(event["type"], name, rules.goals), False


def _amount(revenue: Decimal | None, *, refund: bool) -> Decimal | None:
    if revenue is None:
        if refund:
            raise ValueError("a refund or chargeback needs its amount (revenue.amount)")
        return None
    return -abs(revenue) if refund else revenue


def _refund_ref(payload: dict[str, Any]) -> str:
    """The payment's provider ref; linked to its conversion id by `link_refunds`."""
    ref = _text(payload.get("refund_of"), MAX_REF)
    return ref if ref else q.UNMATCHED


def _visitor_key(event: dict[str, Any], payload: dict[str, Any], browser: bool) -> int:
    """The browser's visitor, or the one a server event is bound to (0: none)."""
    if browser:
        return int(event["visitor_key"])
    bound = visitor_anonymous_id(browser=False, anonymous_id="", payload=payload)
    return visitor_key(event["profile_id"], bound) if bound else 0


def _person(
    event: dict[str, Any], payload: dict[str, Any], browser: bool, context: ProfileContext
) -> dict[str, str]:
    """The strongest identifier the event names; the visitor's anonymous id as a fallback."""
    ids = identifiers_of(
        json_object(event["identity"]),
        anonymous_id=visitor_anonymous_id(
            browser=browser, anonymous_id=event["anonymous_id"], payload=payload
        ),
        user_id=event["user_id"] or "",
        region=context.phone_region,
    )
    kind, value = strongest(ids) or ("", "")
    return {"identity_kind": str(kind), "identity_value": value}


def _money(
    amount: Decimal | None, currency: str, ts: datetime, rules: ProfileRules
) -> dict[str, Any]:
    """Value, currency and the value in the reporting currency at the local day's rate."""
    target = rules.context.currency
    if amount is None:
        return {"value": None, "currency": "", "reporting_value": None,
                "reporting_currency": target, "fx_rate": None, "fx_status": "none"}  # fmt: skip
    code = currency.upper()
    rate = rules.rates.rate(code, target, _local_day(ts, rules.context)) if code else None
    status = "same" if code == target else ("converted" if rate is not None else "unconverted")
    return {
        "value": stored(amount),
        "currency": code,
        "reporting_value": convert(amount, rate) if rate is not None else None,
        "reporting_currency": target,
        "fx_rate": rate,
        "fx_status": status,
    }


def _local_day(ts: datetime, context: ProfileContext) -> date:
    aware = ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)  # stores give UTC
    return aware.astimezone(ZoneInfo(context.timezone)).date()


def _campaign(event: dict[str, Any], payload: dict[str, Any], browser: bool) -> dict[str, str]:
    """Browser events carry their own UTM and click columns; server-side events name campaign
    data in their payload (the connectors' convention)."""
    out = {
        name: (event[name] if browser else "") or _text(payload.get(name), MAX_TEXT)
        for name in CAMPAIGN_FIELDS
    }
    out.update({name: _text(payload.get(name), MAX_REF) for name in AD_FIELDS})
    kind, click = (event["click_id_type"], event["click_id"]) if browser else ("", "")
    if not click:
        kind = next((c for c in CLICK_IDS if _text(payload.get(c), MAX_TEXT)), "")
        click = _text(payload.get(kind), MAX_TEXT) if kind else ""
    return {**out, "click_id_type": kind or "", "click_id": click or ""}


def _text(value: Any, limit: int) -> str:
    """A payload value as trimmed text ('' for missing, objects and lists)."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value).strip()[:limit]


def json_object(text: str | None) -> dict[str, Any]:
    """A stored JSON column as a dict; malformed or non-object JSON reads as empty."""
    if not text:
        return {}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _table(rows: list[dict[str, Any]], version: int) -> pa.Table:
    return pa.Table.from_pylist([{**row, "version": version} for row in rows], schema=SCHEMA)
