"""Goals: which events become conversions, with which revenue type (CHECKLIST §3.6, §3.7).

The six defaults are the spec's; the extra pipeline keys (§9 #63) are mappable but not created;
engagement and system events never become conversions (§9 #31); CRM stages map by §9 #9.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from touchline.domain.revenue import RevenueType

CASH, PIPELINE, GROSS = RevenueType.CASH, RevenueType.PIPELINE, RevenueType.GROSS


@dataclass(frozen=True, slots=True)
class GoalDefinition:
    key: str
    name: str
    source_events: tuple[str, ...]
    revenue_type: RevenueType
    attribution_eligible: bool = True


DEFAULT_GOALS: Final = (
    GoalDefinition("payment_received", "Payment Received", ("payment_received",), CASH),
    GoalDefinition("lead_created", "Lead Created", ("lead_created",), PIPELINE),
    GoalDefinition("appointment_booked", "Appointment Booked", ("appointment_booked",), PIPELINE),
    GoalDefinition("closed_won", "Closed Won", ("closed_won",), PIPELINE),
    GoalDefinition("order_placed", "Order Placed", ("order_placed",), GROSS),
    GoalDefinition("contact_reply", "Contact Reply", ("contact_reply",), PIPELINE),
)
CASH_GOAL: Final = "payment_received"
BOOKING_GOAL: Final = "appointment_booked"

PIPELINE_KEYS: Final = ("qualified", "showed", "disqualified", "no_show", "closed_lost")
"""Recognized pipeline conversion keys a stage may map to; not created as goals (§9 #63)."""

REFUND_EVENTS: Final = frozenset({"payment_refunded", "chargeback"})
"""Negative cash: they reduce the payment they refer to (`payload.refund_of`)."""
STAGE_EVENT: Final = "stage_changed"
"""A CRM stage change; `payload.stage` is mapped to a goal key by `stage_goal`."""
RESERVED_SOURCES: Final = REFUND_EVENTS | {STAGE_EVENT}
"""Names with a rule of their own: a custom goal cannot claim them."""

CONVERSION_TYPES: Final = frozenset({"track", "revenue"})
"""Event types a goal may match; server-side events (webhooks, syncs) arrive as `track`."""
NEVER_CONVERSION_TYPES: Final = frozenset({"engagement", "impression", "consent", "identify"})
NEVER_CONVERSIONS: Final = frozenset(
    {
        "page_view", "scroll_depth", "heartbeat", "page_engagement", "web_vitals", "rage_click",
        "dead_click", "cta_visible", "video_progress", "video_play", "video_pause",
        "outbound_click", "file_download", "js_error", "form_abandoned", "identify", "consent",
        "engagement", "impression",
    }
)  # fmt: skip
"""Engagement and system event names (docs/decisions/0601): never a goal's source."""

KEY_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_SOURCE_LENGTH: Final = 200  # the collect protocol's limit on an event name
MAX_SOURCES: Final = 50


class GoalError(ValueError):
    """A goal definition the rules refuse."""


def check_goal(goal: GoalDefinition) -> GoalDefinition:
    """`goal` if it is a valid definition; else GoalError saying what is wrong."""
    if not KEY_PATTERN.match(goal.key):
        raise GoalError(f"goal key {goal.key!r} must be lowercase letters, digits and _")
    if not goal.name.strip():
        raise GoalError("a goal needs a name")
    if not goal.source_events:
        raise GoalError("a goal needs at least one source event")
    if len(goal.source_events) > MAX_SOURCES:
        raise GoalError(f"a goal has at most {MAX_SOURCES} source events")
    bad = [e for e in goal.source_events if not e or len(e) > MAX_SOURCE_LENGTH]
    if bad:
        raise GoalError(f"a source event name is 1-{MAX_SOURCE_LENGTH} characters: {bad[0]!r}")
    banned = sorted(set(goal.source_events) & NEVER_CONVERSIONS)
    if banned:
        raise GoalError(f"engagement and system events never become conversions: {banned}")
    reserved = sorted(set(goal.source_events) & RESERVED_SOURCES)
    if reserved:
        raise GoalError(f"{reserved} have built-in rules (refunds, CRM stages); pick other names")
    return goal


def match(
    event_type: str, event_name: str, goals: Iterable[GoalDefinition]
) -> GoalDefinition | None:
    """The goal a `track`/`revenue` event satisfies by its name; engagement and system events
    never match."""
    if event_type not in CONVERSION_TYPES or event_name in NEVER_CONVERSIONS:
        return None
    return next((g for g in goals if event_name in g.source_events), None)


# §9 #9 in order; each keyword is a whole word or a run of words. "showed"/"no show" come
# before "appointment" so "Appointment No Show" is a no-show, not a second booking; a bare
# "closed" means nothing (it would make "Closed Lost" a win).
_STAGE_RULES: Final = (
    ("closed_won", ("won",)),
    ("disqualified", ("disqualified", "unqualified", "not qualified")),
    ("closed_lost", ("lost",)),
    ("no_show", ("no show", "noshow", "no shows", "no showed")),
    ("showed", ("showed", "showed up")),
    ("appointment_booked", ("appointment", "appointments", "booked", "booking", "set")),
    ("qualified", ("qualified",)),
    ("lead_created", ("lead", "leads")),
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")  # "won't" stays one word, never "won"


def stage_key(stage: str) -> str:
    """How a stage name is stored and compared: lowercased, whitespace collapsed."""
    return " ".join(stage.replace("\u2019", "'").lower().split())


def stage_goal(stage: str, *, is_first_stage: bool, overrides: Mapping[str, str]) -> str | None:
    """The goal key of a CRM pipeline stage (CHECKLIST §9 #9): the profile's override wins
    ('' means "not a conversion"), then keyword rules in order, then the first stage → lead."""
    name = stage_key(stage)
    if name in overrides:
        return overrides[name] or None
    words = f" {' '.join(_WORD.findall(name))} "
    for key, keywords in _STAGE_RULES:
        if any(f" {keyword} " in words for keyword in keywords):
            return key
    return "lead_created" if is_first_stage else None
