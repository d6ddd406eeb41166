"""What a GoHighLevel webhook delivers, read into the API's own models (pure): the typed
events of a Marketplace app (`ContactCreate`, `OpportunityStageUpdate`, `AppointmentCreate`…)
and the flat snake_case body of a workflow's Webhook action (`contact_id`, `pipleline_stage`
— GHL's spelling —, `lead_value`, a `calendar` object, and the action's Custom Data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from touchline.connectors.ghl.payloads import (
    CalendarEvent,
    Contact,
    DealContact,
    Opportunity,
)

CONTACT_TYPES: Final = frozenset(
    {"ContactCreate", "ContactUpdate", "ContactDndUpdate", "ContactTagUpdate"}
)
DEAL_TYPES: Final = frozenset({
    "OpportunityCreate", "OpportunityStageUpdate", "OpportunityStatusUpdate",
    "OpportunityMonetaryValueUpdate", "OpportunityUpdate",
})  # fmt: skip
APPOINTMENT_TYPES: Final = frozenset({"AppointmentCreate", "AppointmentUpdate"})
# Custom Data keys a workflow may add (docs/connectors/gohighlevel.md).
CAMPAIGN_KEYS: Final = {
    "utm_source": "utmSource", "utm_medium": "utmMedium", "utm_campaign": "utmCampaign",
    "utm_content": "utmContent", "utm_term": "utmTerm", "campaign_id": "campaignId",
    "ad_set_id": "adSetId", "adset_id": "adSetId", "ad_id": "adId", "fbclid": "fbclid",
    "gclid": "gclid",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook's object: a contact, a deal (with the stage name when the body names it)
    or an appointment (with its calendar's name)."""

    contact: Contact | None = None
    contact_update: bool = False
    deal: Opportunity | None = None
    stage_name: str = ""
    pipeline_name: str = ""
    is_first_stage: bool | None = None
    appointment: CalendarEvent | None = None
    calendar_name: str = ""
    currency: str = ""


def delivery_of(body: dict[str, Any], received: datetime) -> Delivery | None:
    """The delivery a body carries; None for what we do not use (other event types)."""
    kind = str(body.get("type") or "")
    if kind in CONTACT_TYPES:
        return Delivery(Contact.model_validate(body), contact_update=kind != "ContactCreate")
    if kind in DEAL_TYPES:
        return Delivery(deal=Opportunity.model_validate(body))
    if kind in APPOINTMENT_TYPES:
        return Delivery(appointment=CalendarEvent.model_validate(body.get("appointment") or {}))
    if kind or not (body.get("contact_id") or body.get("contactId")):
        return None
    return workflow_delivery(body, received)


def workflow_delivery(body: dict[str, Any], received: datetime) -> Delivery:
    """A workflow Webhook action's body. Custom Data `event` says what it is ("contact",
    "contact_updated", "opportunity", "appointment"); without it the fields tell."""
    custom = _object(body.get("customData"))
    event = str(custom.get("event") or body.get("event") or "").lower()
    stage = _text(body.get("pipleline_stage") or body.get("pipeline_stage") or custom.get("stage"))
    if event == "appointment" or (not event and isinstance(body.get("calendar"), dict)):
        return _appointment(body, custom, received)
    if event == "opportunity" or (not event and (stage or body.get("opportunity_name"))):
        return _deal(body, custom, stage)
    return Delivery(_contact(body, custom), contact_update=event == "contact_updated")


def _contact(body: dict[str, Any], custom: dict[str, Any]) -> Contact:
    nested = _object(body.get("contact"))
    return Contact.model_validate({
        "id": _text(body.get("contact_id") or body.get("contactId")),
        "email": body.get("email"), "phone": body.get("phone"),
        "firstName": body.get("first_name"), "lastName": body.get("last_name"),
        "contactName": body.get("full_name"), "source": body.get("contact_source"),
        "dateAdded": _local(body.get("date_created"), _zone("UTC")),
        "attributionSource": body.get("attributionSource") or nested.get("attributionSource"),
        "lastAttributionSource": nested.get("lastAttributionSource"),
        "attributions": _custom_attribution(custom),
    })  # fmt: skip


def _deal(body: dict[str, Any], custom: dict[str, Any], stage: str) -> Delivery:
    contact = _contact(body, custom)
    pipeline = _text(body.get("pipeline_id") or custom.get("pipeline_id"))
    deal = Opportunity.model_validate({
        "id": _deal_id(body, custom, contact.id, pipeline), "name": body.get("opportunity_name"),
        "monetaryValue": _number(custom.get("lead_value") or body.get("lead_value")),
        "pipelineId": pipeline, "status": _text(body.get("status")),
        "source": body.get("opportunity_source") or body.get("source"), "contactId": contact.id,
        "contact": DealContact(id=contact.id, name=contact.contact_name, email=contact.email,
                               phone=contact.phone),
        "attributionSource": contact.attribution_source,
        "lastAttributionSource": contact.last_attribution_source,
        "attributions": contact.attributions,
    })  # fmt: skip
    first = custom.get("is_first_stage")
    return Delivery(
        contact=contact,
        deal=deal,
        stage_name=stage,
        pipeline_name=_text(body.get("pipeline_name")),
        is_first_stage=None if first is None else str(first).lower() in ("true", "1", "yes"),
        currency=_text(custom.get("currency")).upper(),
    )


def _deal_id(body: dict[str, Any], custom: dict[str, Any], contact: str, pipeline: str) -> str:
    """The deal's id: Custom Data `opportunity_id` (`{{opportunity.id}}`), else the body's
    `id` when it is not another object's; else the contact's deal in that pipeline (GHL allows
    one per contact and pipeline unless duplicates are switched on)."""
    explicit = _text(custom.get("opportunity_id") or body.get("opportunity_id"))
    if explicit:
        return explicit
    given = _text(body.get("id"))
    return given if given and given not in (contact, pipeline) else f"{contact}:{pipeline}"


def _appointment(body: dict[str, Any], custom: dict[str, Any], received: datetime) -> Delivery:
    calendar = _object(body.get("calendar"))
    zone = _zone(calendar.get("selectedTimezone"))
    user = _object(body.get("user"))
    appointment = CalendarEvent.model_validate({
        "id": _text(calendar.get("appointmentId") or custom.get("appointment_id")
                    or calendar.get("id")),
        "calendarId": _text(calendar.get("calendarId") or calendar.get("id")),
        "contactId": _text(body.get("contact_id")), "title": calendar.get("title") or "",
        "appointmentStatus": _text(calendar.get("appoinmentStatus")
                                   or calendar.get("appointmentStatus") or calendar.get("status")),
        "assignedUserId": _text(calendar.get("assignedUserId") or user.get("id")
                                or " ".join(filter(None, (user.get("firstName"),
                                                          user.get("lastName"))))),
        "startTime": _local(calendar.get("startTime"), zone),
        "endTime": _local(calendar.get("endTime"), zone),
        "dateAdded": _local(calendar.get("date_created"), zone) or received,
    })  # fmt: skip
    return Delivery(
        contact=_contact(body, custom),
        appointment=appointment,
        calendar_name=_text(calendar.get("calendarName")),
    )


def _custom_attribution(custom: dict[str, Any]) -> list[dict[str, Any]]:
    found = {alias: _text(custom[key]) for key, alias in CAMPAIGN_KEYS.items() if custom.get(key)}
    return [{**found, "isFirst": True}] if found else []


def _local(value: Any, zone: ZoneInfo) -> datetime | None:
    """A workflow time: ISO with an offset, or a bare local time in the calendar's zone."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _zone(name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(name) if isinstance(name, str) and name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _number(value: Any) -> str | None:
    """`lead_value` as sent ("1,500.00", 1500, ""); None when it is not a number."""
    text = str(value).replace(",", "").strip() if value is not None else ""
    try:
        return text if text and float(text) >= 0 else None
    except ValueError:
        return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""
