"""GoHighLevel objects → server events and records (pure): a contact is a lead
(`lead_created`) and an identity; a deal's stage is `stage_changed` with its pipeline value;
a booked appointment is `appointment_booked` plus a `calendar_event` record. See
docs/connectors/gohighlevel.md and decisions 0832, 0834 and 0835."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson

from touchline.connectors.events import record_event, server_event
from touchline.connectors.ghl.payloads import Attribution, CalendarEvent, Contact, Opportunity
from touchline.connectors.ghl.payloads import Pipeline as PipelineModel
from touchline.domain.goals import stage_key
from touchline.domain.records import RecordKind
from touchline.ingest.protocol import Identity, RawEvent

PROVIDER: Final = "ghl"
# Where GHL's attribution fields land in an event's payload (the conversions' campaign data).
CAMPAIGN_FIELDS: Final = {
    "utm_source": "utm_source", "utm_medium": "utm_medium", "utm_content": "utm_content",
    "utm_term": "utm_term", "campaign_id": "campaign_id", "ad_set_id": "ad_set_id",
    "ad_id": "ad_id", "fbclid": "fbclid", "gclid": "gclid", "msclkid": "msclkid",
    "ttclid": "ttclid",
}  # fmt: skip
PLATFORMS: Final = frozenset({"facebook", "instagram", "google", "youtube", "tiktok", "bing"})
NOT_BOOKED: Final = frozenset({"cancelled", "canceled", "invalid", "deleted"})
STATUS_STAGES: Final = {"won": "Won", "lost": "Lost"}
MAX_TEXT: Final = 500


@dataclass(frozen=True, slots=True)
class StageInfo:
    """A pipeline stage by name, as the conversions step maps it."""

    name: str
    is_first: bool
    pipeline_id: str = ""
    pipeline_name: str = ""


def stage_index(pipelines: Iterable[PipelineModel]) -> dict[str, StageInfo]:
    """Stage id → stage; a pipeline's first stage is its lowest position (else the first
    listed)."""
    index = {}
    for pipeline in pipelines:
        ordered = sorted(
            enumerate(pipeline.stages),
            key=lambda pair: pair[1].position if pair[1].position is not None else pair[0],
        )
        for rank, (_, stage) in enumerate(ordered):
            index[stage.id] = StageInfo(stage.name, rank == 0, pipeline.id, pipeline.name)
    return index


def contact_events(contact: Contact, *, received: datetime) -> list[RawEvent]:
    """A contact is a lead once (its id is the provider ref); a contact changed after it was
    created also brings its current identity (names and phones added later)."""
    added = contact.date_added or received
    campaign = campaign_of(contact.attributions, contact.attribution_source,
                           contact.last_attribution_source)  # fmt: skip
    identity = contact_identity(contact)
    lead = server_event(
        provider=PROVIDER, key=("lead_created", contact.id), name="lead_created", at=added,
        identity=identity,
        payload=_present({"provider_ref": contact.id, "contact_id": contact.id,
                          "source": contact.source, **campaign}),
    )  # fmt: skip
    updated = contact.date_updated
    if identity is None or updated is None or updated <= added:
        return [lead]
    current = server_event(
        provider=PROVIDER, key=("contact_updated", contact.id, _digest(identity)),
        name="contact_updated", at=updated, identity=identity, payload={"contact_id": contact.id},
    )  # fmt: skip
    return [lead, current]


def stage_event(
    deal: Opportunity, stage: StageInfo, *, currency: str, received: datetime
) -> RawEvent:
    """`stage_changed` for the deal's stage. Its provider ref is the deal's id, so each goal a
    deal's stages reach counts once; a first stage's ref is the contact's id, the ref of the
    contact's own `lead_created`, so a contact and its new deal are one lead."""
    first_ref = deal.contact_id if stage.is_first and deal.contact_id else deal.id
    return _deal_event(
        deal, key=("stage", deal.id, stage_key(stage.name)), stage=stage.name,
        at=deal.last_stage_change_at or deal.updated_at or deal.created_at or received,
        extra={"provider_ref": first_ref, "is_first_stage": stage.is_first,
               "pipeline_id": stage.pipeline_id or deal.pipeline_id,
               "pipeline_name": stage.pipeline_name, "stage_id": deal.pipeline_stage_id},
        currency=currency,
    )  # fmt: skip


def status_event(deal: Opportunity, *, currency: str, received: datetime) -> RawEvent | None:
    """A deal marked won or lost (GHL's status, apart from its stage) as the stage "Won" or
    "Lost"; it shares the deal's ref, so a "Closed Won" stage and the won status count once."""
    stage = STATUS_STAGES.get(deal.status.lower())
    if stage is None:
        return None
    return _deal_event(
        deal, key=("status", deal.id, deal.status.lower()), stage=stage,
        at=deal.last_status_change_at or deal.updated_at or deal.created_at or received,
        extra={"provider_ref": deal.id, "is_first_stage": False, "status": deal.status},
        currency=currency,
    )  # fmt: skip


def _deal_event(
    deal: Opportunity, *, key: Sequence[object], stage: str, at: datetime,
    extra: Mapping[str, Any], currency: str,
) -> RawEvent:  # fmt: skip
    value = deal.monetary_value if deal.monetary_value and deal.monetary_value > 0 else None
    campaign = campaign_of(deal.attributions, deal.attribution_source,
                           deal.last_attribution_source)  # fmt: skip
    payload = {
        "stage": stage, **extra, "opportunity_id": deal.id, "contact_id": deal.contact_id,
        "opportunity_name": deal.name, "source": deal.source, **campaign,
        # Without a known currency the deal's value is kept here, not counted.
        "monetary_value": str(value) if value is not None and not currency else None,
    }  # fmt: skip
    return server_event(
        provider=PROVIDER, key=key, name="stage_changed", at=at, identity=deal_identity(deal),
        amount=value if currency else None, currency=currency if value is not None else "",
        payload=_present(payload),
    )  # fmt: skip


def appointment_events(
    appointment: CalendarEvent, *, calendar_name: str, received: datetime
) -> list[RawEvent]:
    """The appointment as a `calendar_event` record (re-recorded when its status changes)
    and, unless cancelled, `appointment_booked` once at its booking time."""
    booked_at = appointment.date_added or received
    record = record_event(
        provider=PROVIDER, kind=RecordKind.CALENDAR_EVENT,
        at=appointment.date_updated or booked_at,
        data={"provider": PROVIDER, "appointment_id": appointment.id,
              "calendar_id": appointment.calendar_id, "calendar_name": calendar_name,
              "status": appointment.appointment_status.lower(),
              "assigned_user": appointment.assigned_user_id,
              "contact_id": appointment.contact_id, "title": appointment.title,
              "start_at": _iso(appointment.start_time), "end_at": _iso(appointment.end_time)},
    )  # fmt: skip
    if appointment.appointment_status.lower() in NOT_BOOKED:
        return [record]
    identity = Identity(ghl_contact_id=appointment.contact_id) if appointment.contact_id else None
    booked = server_event(
        provider=PROVIDER, key=("appointment_booked", appointment.id),
        name="appointment_booked", at=booked_at, identity=identity,
        payload=_present({"provider_ref": appointment.id, "appointment_id": appointment.id,
                          "calendar_id": appointment.calendar_id,
                          "calendar_name": calendar_name, "contact_id": appointment.contact_id,
                          "start_at": _iso(appointment.start_time)}),
    )  # fmt: skip
    return [record, booked]


def campaign_of(
    attributions: Sequence[Attribution], first: Attribution | None, last: Attribution | None
) -> dict[str, str]:
    """Campaign data from one attribution, never mixed across two: the first touch GHL
    recorded (`attributions[]` marked first, else its first entry, else
    `attributionSource`) when it has any, else the latest (`lastAttributionSource`)."""
    marked = [a for a in attributions if a.is_first] or list(attributions)
    for candidate in (*marked[:1], first, last):
        found = _campaign(candidate) if candidate is not None else {}
        if found:
            return found
    return {}


def _campaign(source: Attribution) -> dict[str, str]:
    """The attribution's campaign data. An ad id (a Meta lead form has no UTMs) or a "Paid …"
    session source is a paid touch: its platform becomes the source and "paid" the medium
    when GHL recorded none, so the synthetic touch is Paid Social, not Organic."""
    values = {target: getattr(source, name) for name, target in CAMPAIGN_FIELDS.items()}
    values["utm_campaign"] = source.utm_campaign or source.campaign
    ad = any(values[key] for key in ("campaign_id", "ad_set_id", "ad_id"))
    if ad or "paid" in (source.session_source or "").lower():
        platform = (source.ad_source or source.medium or "").strip().lower()
        values["utm_source"] = values["utm_source"] or (platform if platform in PLATFORMS else "")
        if values["utm_source"] or ad:
            values["utm_medium"] = values["utm_medium"] or "paid"
    return {key: str(value).strip()[:MAX_TEXT] for key, value in values.items()
            if value and str(value).strip()}  # fmt: skip


def contact_identity(contact: Contact) -> Identity | None:
    return _identity(
        contact_id=contact.id, email=contact.email, phone=contact.phone,
        first_name=contact.first_name, last_name=contact.last_name, name=contact.contact_name,
    )  # fmt: skip


def deal_identity(deal: Opportunity) -> Identity | None:
    person = deal.contact
    return _identity(
        contact_id=deal.contact_id or (person.id if person else None),
        email=person.email if person else None, phone=person.phone if person else None,
        name=person.name if person else None,
    )  # fmt: skip


def _identity(*, contact_id: str | None, **fields: str | None) -> Identity | None:
    present = {key: value.strip() for key, value in fields.items() if value and value.strip()}
    if contact_id and contact_id.strip():
        present["ghl_contact_id"] = contact_id.strip()
    return Identity(**present) if present else None


def _digest(identity: Identity) -> str:
    fields = {f: getattr(identity, f) for f in identity.__struct_fields__}
    return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def _present(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if value not in (None, "")}
