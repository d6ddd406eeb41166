"""Demo outcomes that arrive server-side, as the connectors will send them: clinic payments
(Stripe-like, some in MXN, a few refunded) for identified visitors a few days after their
visit, and CRM leads from Meta lead forms that never visited the site (they get synthetic
touches). Deterministic: each follows from the identify event or the day it comes from."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from touchline.demo import catalog
from touchline.demo.traffic import TrafficPlan, visitor
from touchline.ingest.protocol import EventType, Identity, RawEvent, Revenue

PAYING_SHARE: Final = 0.3  # identified visitors who pay for a treatment
REFUND_SHARE: Final = 0.05
TREATMENTS_MXN: Final = (1_800, 3_500, 6_200, 12_000, 18_500)
USD_SHARE: Final = 0.2  # tourists pay in USD
LEAD_FORMS_PER_DAY: Final = 4
PAYMENT_ORIGIN: Final = "webhook:stripe"
CRM_ORIGIN: Final = "sync:ghl"


def payments(plan: TrafficPlan, identified: Iterable[RawEvent]) -> Iterator[RawEvent]:
    """A payment (and sometimes its refund) for a share of the visitors who identified with an
    email in a form, 1-10 days later, never after the plan's end. Portal sign-ins (they carry
    the patient id, `user_id`) are returning patients, not new treatments."""
    end_ms = int(plan.end.timestamp() * 1000)
    for event in identified:
        if event.identity is None or not event.identity.email or event.identity.user_id:
            continue
        rng = random.Random(f"{plan.seed}/payment/{event.event_id}")
        if rng.random() >= PAYING_SHARE:
            continue
        assert isinstance(event.timestamp, int)
        paid_ms = event.timestamp + rng.randrange(1, 10 * 86_400) * 1000
        if paid_ms > end_ms:
            continue
        usd = rng.random() < USD_SHARE
        amount = rng.choice(TREATMENTS_MXN) / (18 if usd else 1)
        intent = f"pi_{uuid.UUID(int=rng.getrandbits(128)).hex[:24]}"
        yield _server_event(
            rng,
            "payment_received",
            paid_ms,
            event.identity,
            round(amount, 2),
            "USD" if usd else "MXN",
            {"provider_ref": intent},
        )
        if rng.random() < REFUND_SHARE and paid_ms + 86_400_000 <= end_ms:
            yield _server_event(
                rng,
                "payment_refunded",
                paid_ms + 86_400_000,
                event.identity,
                -round(amount / 2, 2),
                "USD" if usd else "MXN",
                {"provider_ref": f"re_{intent[3:]}", "refund_of": intent},
            )


def crm_leads(plan: TrafficPlan) -> Iterator[RawEvent]:
    """Meta lead-form leads synced from the CRM: campaign data, no web visit."""
    zone = ZoneInfo(plan.timezone)
    last_day = plan.end.astimezone(zone).date()
    end_ms = int(plan.end.timestamp() * 1000)
    for offset in range(plan.days - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        rng = random.Random(f"{plan.seed}/crm/{day.isoformat()}")
        for index in range(rng.randrange(LEAD_FORMS_PER_DAY + 1)):
            at = _moment(rng, day, zone)
            if at > end_ms:
                continue
            person = visitor(plan.seed, day, 100_000 + index)
            campaign = rng.choice(catalog.META_CAMPAIGNS)
            identity = Identity(
                email=person.email,
                phone=person.phone,
                first_name=person.first_name,
                last_name=person.last_name,
                ghl_contact_id=f"ghl_{rng.getrandbits(40):x}",
            )
            payload = {
                "campaign_id": _platform_id(campaign.name),
                "utm_source": "facebook",
                "utm_medium": "paid",
                "utm_campaign": campaign.name,
                "fbclid": f"IwAR{rng.getrandbits(64):x}",
                "lead_source": "meta_lead_form",
            }
            yield _server_event(rng, "lead_created", at, identity, None, "", payload)


def _server_event(
    rng: random.Random,
    name: str,
    at_ms: int,
    identity: Identity,
    amount: float | None,
    currency: str,
    payload: dict[str, Any],
) -> RawEvent:
    revenue = Revenue(amount=amount, currency=currency) if amount is not None else None
    return RawEvent(
        event_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        type=EventType.TRACK,
        anonymous_id=f"server:{identity.email or identity.ghl_contact_id}",
        timestamp=at_ms,
        name=name,
        identity=identity,
        revenue=revenue,
        payload=payload,
    )


def _platform_id(name: str) -> str:
    """A stable Meta-like numeric id for a demo campaign."""
    return str(120_000_000_000 + sum(ord(c) * 31**i for i, c in enumerate(name)) % 10**9)


def _moment(rng: random.Random, day: date, zone: ZoneInfo) -> int:
    local = datetime.combine(day, time(rng.randrange(8, 21)), tzinfo=zone)
    return int(local.astimezone(UTC).timestamp() * 1000) + rng.randrange(3_600_000)
