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

PIPELINE_KEYS: Final = ("qualified", "showed", "disqualified", "no_show", "closed_lost")

REFUND_EVENTS: Final = frozenset({"payment_refunded", "chargeback"})
"""Negative cash: they reduce the payment they refer to (`payload.refund_of`)."""
STAGE_EVENT: Final = "stage_changed"
"""A CRM stage change; `payload.stage` is mapped to a goal key by `stage_goal`."""

NEVER_CONVERSION_TYPES: Final = frozenset({"engagement", "impression", "consent", "identify"})
NEVER_CONVERSIONS: Final = frozenset(
    {
        "page_view", "scroll_depth", "heartbeat", "page_engagement", "web_vitals", "rage_click",
        "dead_click", "cta_visible", "video_progress", "outbound_click", "file_download",
        "js_error", "identify", "consent",
    }
)  # fmt: skip

KEY_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class GoalError(ValueError):
    """A goal definition the rules refuse."""


def check_goal(goal: GoalDefinition) -> GoalDefinition:
    if not KEY_PATTERN.match(goal.key):
        raise GoalError(f"goal key {goal.key!r} must be lowercase letters, digits and _")
    if not goal.source_events:
        raise GoalError("a goal needs at least one source event")
    banned = sorted(set(goal.source_events) & NEVER_CONVERSIONS)
    if banned:
        raise GoalError(f"engagement and system events never become conversions: {banned}")
    return goal


def match(
    event_type: str, event_name: str, goals: Iterable[GoalDefinition]
) -> GoalDefinition | None:
    """The goal an event satisfies; engagement and system events never match."""
    if event_type in NEVER_CONVERSION_TYPES or event_name in NEVER_CONVERSIONS:
        return None
    return next((g for g in goals if event_name in g.source_events), None)


_STAGE_RULES: Final = (
    (("won",), "closed_won"),
    (("disqualified",), "disqualified"),
    (("lost",), "closed_lost"),
    (("no show", "no-show", "noshow"), "no_show"),
    (("showed",), "showed"),
    (("appointment", "booked", "set"), "appointment_booked"),
    (("qualified",), "qualified"),
    (("lead",), "lead_created"),
)


def stage_goal(stage: str, *, is_first_stage: bool, overrides: Mapping[str, str]) -> str | None:
    """The goal key of a CRM pipeline stage (CHECKLIST §9 #9): the profile's override wins
    ('' means "not a conversion"), then keyword rules in order, then the first stage → lead."""
    name = " ".join(stage.lower().split())
    if name in overrides:
        return overrides[name] or None
    words = set(re.findall(r"[a-z]+", name))
    for keywords, key in _STAGE_RULES:
        if any((k in words) if " " not in k and "-" not in k else (k in name) for k in keywords):
            return key
    return "lead_created" if is_first_stage else None
