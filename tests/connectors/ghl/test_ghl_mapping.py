"""GoHighLevel mapping over recorded API objects: contacts are leads with their identity and
attribution, deals' stages are `stage_changed` with pipeline value, appointments are
bookings plus calendar records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.connectors.ghl import mapping
from touchline.connectors.ghl.payloads import (
    Attribution,
    CalendarEvent,
    Contact,
    Opportunity,
    Pipeline,
)
from touchline.domain.goals import stage_goal
from touchline.ingest.protocol import RawEvent

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ghl"
NOW = datetime(2026, 10, 12, tzinfo=UTC)


def items(name: str, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text())[key]
    return found


def contacts() -> list[Contact]:
    pages = items("contacts_page_1.json", "contacts") + items("contacts_page_2.json", "contacts")
    return [Contact.model_validate(c) for c in pages]


def deals() -> list[Opportunity]:
    pages = items("opportunities_page_1.json", "opportunities")
    pages += items("opportunities_page_2.json", "opportunities")
    return [Opportunity.model_validate(d) for d in pages]


def stages() -> dict[str, mapping.StageInfo]:
    return mapping.stage_index(Pipeline.model_validate(p) for p in items("pipelines.json",
                                                                         "pipelines"))  # fmt: skip


def payload(event: RawEvent) -> dict[str, Any]:
    return event.payload or {}


def test_a_meta_lead_form_contact_is_a_paid_social_lead_with_its_ad_ids() -> None:
    meta_lead = contacts()[0]
    (lead,) = mapping.contact_events(meta_lead, received=NOW)
    assert lead.name == "lead_created"
    assert {k: payload(lead)[k] for k in ("provider_ref", "campaign_id", "ad_set_id", "ad_id",
                                          "utm_source", "utm_medium", "utm_campaign")} == {
        "provider_ref": "8UmXGIfWq3v5aJkO1d2x", "campaign_id": "120212345678900001",
        "ad_set_id": "120212345678900002", "ad_id": "120212345678900003",
        "utm_source": "facebook", "utm_medium": "paid", "utm_campaign": "fall_consults",
    }  # fmt: skip
    assert lead.identity is not None
    assert (lead.identity.email, lead.identity.phone, lead.identity.ghl_contact_id) == (
        "maria.lopez@example.com",
        "+15125550147",
        "8UmXGIfWq3v5aJkO1d2x",
    )


def test_a_contacts_first_attribution_wins_and_is_never_mixed_with_the_last() -> None:
    web_lead = contacts()[1]
    lead = mapping.contact_events(web_lead, received=NOW)[0]
    campaign = {k: v for k, v in payload(lead).items() if k.startswith("utm_") or k == "gclid"}
    assert campaign == {"utm_source": "google", "utm_medium": "cpc",
                        "utm_campaign": "brand_search", "gclid": "Cj0KCQjw7abcDEF"}  # fmt: skip


def test_a_contact_changed_after_creation_also_brings_its_current_identity() -> None:
    names = [[e.name for e in mapping.contact_events(c, received=NOW)] for c in contacts()]
    assert names == [["lead_created"], ["lead_created", "contact_updated"], ["lead_created"]]
    again = mapping.contact_events(contacts()[1], received=NOW)
    assert again[1].event_id == mapping.contact_events(contacts()[1], received=NOW)[1].event_id


def test_the_first_stage_of_a_pipeline_is_the_lowest_position() -> None:
    index = stages()
    assert [(s.name, s.is_first) for s in index.values()] == [
        ("New Lead", True), ("Appointment Booked", False), ("Proposal Sent", False),
        ("Closed Won", False), ("Closed Lost", False),
    ]  # fmt: skip


def test_deal_stages_carry_pipeline_value_and_map_to_their_goals() -> None:
    index = stages()
    found = [
        mapping.stage_event(d, index[d.pipeline_stage_id], currency="USD", received=NOW)
        for d in deals()
    ]
    rows = [
        (payload(e)["stage"], e.revenue.amount if e.revenue else None, payload(e)["provider_ref"],
         stage_goal(payload(e)["stage"], is_first_stage=payload(e)["is_first_stage"],
                    overrides={}))
        for e in found
    ]  # fmt: skip
    assert rows == [
        ("New Lead", None, "8UmXGIfWq3v5aJkO1d2x", "lead_created"),  # the contact's lead ref
        ("Closed Won", 5000.0, "aS2dF4gH6jK8lZ0xC1vB", "closed_won"),
        ("Appointment Booked", 1200.5, "pO9iU8yT7rE6wQ5aS4dF", "appointment_booked"),
    ]


def test_a_won_status_is_a_won_stage_sharing_the_deals_ref() -> None:
    won = deals()[1]
    status = mapping.status_event(won, currency="USD", received=NOW)
    assert status is not None
    assert (payload(status)["stage"], payload(status)["provider_ref"]) == ("Won", won.id)
    assert mapping.status_event(deals()[2], currency="USD", received=NOW) is None


def test_without_a_currency_the_value_is_kept_in_the_payload_not_counted() -> None:
    won = deals()[1]
    event = mapping.stage_event(won, stages()[won.pipeline_stage_id], currency="", received=NOW)
    assert event.revenue is None
    assert payload(event)["monetary_value"] == "5000"


def test_a_booked_appointment_is_a_booking_and_a_calendar_record() -> None:
    found = items("calendar_events_consultations.json", "events")
    booked, cancelled = (CalendarEvent.model_validate(e) for e in found)
    record, booking = mapping.appointment_events(booked, calendar_name="Consultations",
                                                 received=NOW)  # fmt: skip
    assert (record.type, record.name) == ("record", "calendar_event")
    assert payload(record) == {
        "provider": "ghl", "appointment_id": "oCM5feFC6ii3YnW8V2Lz",
        "calendar_id": "BqTwX8QFwXzpegMve9EQ", "calendar_name": "Consultations",
        "status": "confirmed", "assigned_user": "yU7tR6eE5wW4qQ3aA2sS",
        "contact_id": "8UmXGIfWq3v5aJkO1d2x", "title": "Maria Lopez consult",
        "start_at": "2026-10-07T10:00:00-05:00", "end_at": "2026-10-07T10:30:00-05:00",
    }  # fmt: skip
    assert (booking.name, payload(booking)["provider_ref"]) == ("appointment_booked", booked.id)
    assert booking.timestamp == int(datetime(2026, 10, 2, 15, 10, tzinfo=UTC).timestamp() * 1000)
    assert [
        e.name for e in mapping.appointment_events(cancelled, calendar_name="", received=NOW)
    ] == ["calendar_event"]


def test_a_status_change_is_a_new_record_version_and_the_same_booking() -> None:
    (first,) = (CalendarEvent.model_validate(e) for e in items("calendar_events_treatment.json",
                                                               "events"))  # fmt: skip
    later = first.model_copy(update={"appointment_status": "noshow"})
    before = mapping.appointment_events(first, calendar_name="Treatment", received=NOW)
    after = mapping.appointment_events(later, calendar_name="Treatment", received=NOW)
    assert before[0].event_id != after[0].event_id  # a new record version
    assert before[1].event_id == after[1].event_id  # one booking


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"adId": "9"}, {"ad_id": "9", "utm_medium": "paid"}),
        ({"adId": "9", "medium": "instagram"},
         {"ad_id": "9", "utm_source": "instagram", "utm_medium": "paid"}),
        ({"sessionSource": "Paid Social", "medium": "facebook"},
         {"utm_source": "facebook", "utm_medium": "paid"}),
        ({"medium": "facebook"}, {}),
        ({"utmSource": "fb", "utmMedium": "cpm", "adId": "9"},
         {"utm_source": "fb", "utm_medium": "cpm", "ad_id": "9"}),
        ({"msclikid": "m1", "utmKeyword": "implants"}, {"msclkid": "m1", "utm_term": "implants"}),
    ],
)  # fmt: skip
def test_attribution_fields_become_campaign_data(
    fields: dict[str, str], expected: dict[str, str]
) -> None:
    assert mapping.campaign_of([], Attribution.model_validate(fields), None) == expected


ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


@given(first=ids, last=ids)
def test_campaign_data_comes_from_one_attribution(first: str, last: str) -> None:
    found = mapping.campaign_of(
        [], Attribution(campaign_id=first), Attribution(campaign_id=last, utm_source="x")
    )
    assert found["campaign_id"] == first and "utm_source" not in found
