"""Demo CRM (GoHighLevel) data: contacts — most from Meta lead forms that never visited the
site, the rest from the site's forms — their opportunities moving through the clinic's
pipeline (with a treatment value: pipeline money, never cash) and consultation appointments.
Deterministic per seed and day; rendered as GoHighLevel webhooks by the demo."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from touchline.demo import catalog
from touchline.demo.ads import ad_set_name, platform_id
from touchline.demo.traffic import TrafficPlan, visitor
from touchline.ingest.protocol import RawEvent

LEAD_FORMS_PER_DAY: Final = 9
PHONE_CALLS_PER_DAY: Final = 3  # callers the front desk adds by hand: no campaign data at all
SITE_LEAD_SHARE: Final = 0.12  # identified visitors the site's form integration sends to the CRM
PIPELINE: Final = ("pl_patients", "Patients")
# "Consultation Scheduled" matches no stage keyword on purpose: the calendar's appointment is
# the booking (a stage and a calendar both reporting it would count it twice).
STAGES: Final = ("New Lead", "Consultation Scheduled", "Showed", "Closed Won")
LOST: Final = "Closed Lost"
CALENDAR: Final = ("cal_consults", "Consultations")
DOCTORS: Final = ("Dr. Ana Ruiz", "Dr. Marco Díaz")
TREATMENT_VALUES_MXN: Final = (6_200, 12_000, 18_500, 32_000, 45_000)
HOUR_MS: Final = 3_600_000


@dataclass(frozen=True, slots=True)
class Contact:
    contact_id: str
    created_ms: int
    email: str
    phone: str
    first_name: str
    last_name: str
    source: str  # "meta_lead_form", "phone_call" or "website"
    attribution: dict[str, str] = field(default_factory=dict)  # utm_*, fbclid, campaign ids


@dataclass(frozen=True, slots=True)
class Opportunity:
    opportunity_id: str
    contact: Contact
    value_mxn: int
    stages: tuple[tuple[str, int], ...]  # (stage name, when it was reached)


@dataclass(frozen=True, slots=True)
class Appointment:
    appointment_id: str
    contact: Contact
    booked_ms: int
    start_ms: int
    status: str  # confirmed, showed, noshow, cancelled
    doctor: str


def contacts(plan: TrafficPlan, identified: Iterable[RawEvent]) -> Iterator[Contact]:
    """Meta lead-form leads (campaign data, no visit), phone callers (nothing to attribute
    them to) and the site's form leads."""
    yield from _lead_form_contacts(plan)
    yield from _phone_contacts(plan)
    for event in identified:
        identity = event.identity
        if identity is None or not identity.email or identity.user_id:
            continue
        rng = random.Random(f"{plan.seed}/crm-site/{event.event_id}")
        if rng.random() < SITE_LEAD_SHARE:
            assert isinstance(event.timestamp, int)
            yield Contact(
                f"ghl_{rng.getrandbits(64):016x}", event.timestamp + 30_000, identity.email,
                identity.phone or "", identity.first_name or "", identity.last_name or "",
                "website",
            )  # fmt: skip


def _lead_form_contacts(plan: TrafficPlan) -> Iterator[Contact]:
    zone = ZoneInfo(plan.timezone)
    last_day = plan.end.astimezone(zone).date()
    end_ms = int(plan.end.timestamp() * 1000)
    for offset in range(plan.days - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        rng = random.Random(f"{plan.seed}/crm/{day.isoformat()}")
        for index in range(rng.randrange(LEAD_FORMS_PER_DAY + 1)):
            at = _moment(rng, day, zone)
            if at <= end_ms:
                yield _lead_form_contact(rng, plan, day, index, at)


def _phone_contacts(plan: TrafficPlan) -> Iterator[Contact]:
    zone = ZoneInfo(plan.timezone)
    last_day = plan.end.astimezone(zone).date()
    end_ms = int(plan.end.timestamp() * 1000)
    for offset in range(plan.days - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        rng = random.Random(f"{plan.seed}/crm-phone/{day.isoformat()}")
        for index in range(rng.randrange(PHONE_CALLS_PER_DAY + 1)):
            at = _moment(rng, day, zone)
            if at <= end_ms:
                person = visitor(plan.seed, day, 200_000 + index)
                yield Contact(
                    f"ghl_{rng.getrandbits(64):016x}", at, person.email, person.phone,
                    person.first_name, person.last_name, "phone_call",
                )  # fmt: skip


def _lead_form_contact(
    rng: random.Random, plan: TrafficPlan, day: date, index: int, at: int
) -> Contact:
    person = visitor(plan.seed, day, 100_000 + index)
    campaign = rng.choice(catalog.META_CAMPAIGNS)
    ad = rng.choice(campaign.contents)
    attribution = {
        "utm_source": "facebook", "utm_medium": "paid", "utm_campaign": campaign.name,
        "utm_content": ad, "fbclid": f"IwAR{rng.getrandbits(64):x}",
        "campaign_id": platform_id(campaign.name),
        "ad_set_id": platform_id(ad_set_name(campaign)),
        "ad_id": platform_id(f"{campaign.name}/{ad}"),
    }  # fmt: skip
    return Contact(
        f"ghl_{rng.getrandbits(64):016x}", at, person.email, person.phone, person.first_name,
        person.last_name, "meta_lead_form", attribution,
    )  # fmt: skip


def opportunities(plan: TrafficPlan, people: Iterable[Contact]) -> Iterator[Opportunity]:
    """Every contact gets an opportunity; a share books, shows and buys, some are lost."""
    end_ms = int(plan.end.timestamp() * 1000)
    for contact in people:
        rng = random.Random(f"{plan.seed}/opportunity/{contact.contact_id}")
        reached = [(STAGES[0], contact.created_ms + 60_000)]
        at = reached[0][1]
        for stage, chance in zip(STAGES[1:], (0.55, 0.7, 0.5), strict=True):
            at += rng.randrange(6, 96) * HOUR_MS
            if at > end_ms:
                break
            if rng.random() >= chance:
                if rng.random() < 0.4:
                    reached.append((LOST, at))
                break
            reached.append((stage, at))
        yield Opportunity(
            f"opp_{rng.getrandbits(64):016x}", contact, rng.choice(TREATMENT_VALUES_MXN),
            tuple(reached),
        )  # fmt: skip


def appointments(plan: TrafficPlan, deals: Iterable[Opportunity]) -> Iterator[Appointment]:
    """A consultation for every opportunity that reached "Appointment Booked"."""
    for deal in deals:
        stages = dict(deal.stages)
        booked = stages.get(STAGES[1])
        if booked is None:
            continue
        rng = random.Random(f"{plan.seed}/appointment/{deal.opportunity_id}")
        start = booked + rng.randrange(20, 72) * HOUR_MS
        status = (
            "showed" if "Showed" in stages else rng.choice(("confirmed", "noshow", "cancelled"))
        )
        yield Appointment(
            f"apt_{rng.getrandbits(64):016x}", deal.contact, booked, start, status,
            rng.choice(DOCTORS),
        )  # fmt: skip


def _moment(rng: random.Random, day: date, zone: ZoneInfo) -> int:
    local = datetime.combine(day, time(rng.randrange(8, 21)), tzinfo=zone)
    return int(local.astimezone(UTC).timestamp() * 1000) + rng.randrange(3_600_000)


# --- rendered as the GoHighLevel API v2 answers (the demo's stand-in for a sync) -------------

LOCATION_ID: Final = "demoClinicLoc0001"
SOURCES: Final = {
    "meta_lead_form": "facebook form lead",
    "website": "website form",
    "phone_call": "phone call",
}


def api_routes(
    people: list[Contact], deals: list[Opportunity], meetings: list[Appointment]
) -> dict[str, Any]:
    """`GET path` → body, one page each (no next page), as `touchline sync ghl` reads them."""
    stage_ids = {name: f"st_{index}" for index, name in enumerate((*STAGES, LOST))}
    return {
        "/contacts/": _page("contacts", [_contact_json(c) for c in people]),
        "/opportunities/search": _page(
            "opportunities", [_deal_json(d, stage_ids) for d in deals]
        ),
        "/opportunities/pipelines": {"pipelines": [{
            "id": PIPELINE[0], "name": PIPELINE[1], "locationId": LOCATION_ID,
            "stages": [{"id": i, "name": n, "position": p}
                       for p, (n, i) in enumerate(stage_ids.items())],
        }]},
        "/calendars/": {"calendars": [{"id": CALENDAR[0], "name": CALENDAR[1],
                                       "locationId": LOCATION_ID, "isActive": True}]},
        "/calendars/events": {"events": [_event_json(m) for m in meetings]},
        f"/locations/{LOCATION_ID}": {"location": {
            "id": LOCATION_ID, "name": "Demo Clinic", "timezone": "America/Mexico_City",
            "currency": "MXN", "country": "MX",
        }},
    }  # fmt: skip


def _page(key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        key: items,
        "meta": {
            "total": len(items),
            "nextPageUrl": None,
            "nextPage": None,
            "startAfter": None,
            "startAfterId": None,
            "currentPage": 1,
        },
    }


def _iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _contact_json(contact: Contact) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": contact.contact_id, "locationId": LOCATION_ID,
        "contactName": f"{contact.first_name} {contact.last_name}".strip().lower(),
        "firstName": contact.first_name, "lastName": contact.last_name,
        "email": contact.email, "phone": contact.phone.replace(" ", ""), "type": "lead",
        "source": SOURCES[contact.source],
        "dateAdded": _iso(contact.created_ms), "dateUpdated": _iso(contact.created_ms),
        "tags": [], "customFields": [],
    }  # fmt: skip
    if contact.attribution:
        a = contact.attribution
        body["attributionSource"] = {
            "sessionSource": "Paid Social", "medium": "facebook", "isFirst": True,
            "utmSource": a["utm_source"], "utmMedium": a["utm_medium"],
            "campaign": a["utm_campaign"], "utmContent": a["utm_content"],
            "fbclid": a["fbclid"], "campaignId": a["campaign_id"],
            "adSetId": a["ad_set_id"], "adId": a["ad_id"],
        }  # fmt: skip
    return body


def _deal_json(deal: Opportunity, stage_ids: dict[str, str]) -> dict[str, Any]:
    stage, at = deal.stages[-1]
    status = {"Closed Won": "won", LOST: "lost"}.get(stage, "open")
    contact = deal.contact
    return {
        "id": deal.opportunity_id, "name": f"{contact.first_name} {contact.last_name}",
        "monetaryValue": deal.value_mxn, "pipelineId": PIPELINE[0],
        "pipelineStageId": stage_ids[stage], "status": status,
        "lastStageChangeAt": _iso(at), "lastStatusChangeAt": _iso(at),
        "createdAt": _iso(deal.stages[0][1]), "updatedAt": _iso(at),
        "contactId": contact.contact_id, "locationId": LOCATION_ID,
        "contact": {"id": contact.contact_id, "email": contact.email},
        "attributions": [],
    }  # fmt: skip


def _event_json(meeting: Appointment) -> dict[str, Any]:
    zone = ZoneInfo("America/Mexico_City")
    start = datetime.fromtimestamp(meeting.start_ms / 1000, UTC).astimezone(zone)
    contact = meeting.contact
    return {
        "id": meeting.appointment_id, "calendarId": CALENDAR[0], "locationId": LOCATION_ID,
        "contactId": contact.contact_id, "title": f"{contact.first_name} consult",
        "appointmentStatus": meeting.status, "assignedUserId": meeting.doctor,
        "startTime": start.isoformat(), "endTime": (start + timedelta(minutes=30)).isoformat(),
        "dateAdded": _iso(meeting.booked_ms), "dateUpdated": _iso(meeting.booked_ms),
    }  # fmt: skip
