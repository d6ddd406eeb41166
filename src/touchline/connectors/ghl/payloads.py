"""GoHighLevel API v2 objects (contacts, opportunities, pipelines, calendars, calendar events,
paging meta) as typed models with GHL's camelCase names; fields we do not read are ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


def _aware(value: datetime) -> datetime:
    """GHL sends UTC with a `Z` (or an offset); a bare time is read as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Moment = Annotated[datetime, AfterValidator(_aware)]


class GhlModel(BaseModel):
    model_config = ConfigDict(
        extra="ignore", frozen=True, coerce_numbers_to_str=True, alias_generator=to_camel,
        populate_by_name=True,
    )  # fmt: skip


class Attribution(GhlModel):
    """Where a contact or deal came from (`attributionSource`, `lastAttributionSource` or an
    `attributions[]` entry): UTMs, ad ids and click ids as GHL recorded them."""

    url: str | None = None
    referrer: str | None = None
    medium: str | None = None  # GHL's own: "form", "facebook", "calendar"…
    ad_source: str | None = None
    session_source: str | None = None  # "Paid Social", "Organic Search"…
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    campaign: str | None = None
    utm_content: str | None = None
    utm_term: str | None = Field(None, validation_alias=AliasChoices("utmTerm", "utmKeyword"))
    campaign_id: str | None = Field(
        None, validation_alias=AliasChoices("campaignId", "utmCampaignId")
    )
    ad_set_id: str | None = Field(
        None, validation_alias=AliasChoices("adSetId", "adsetId", "adGroupId", "utmAdsetId")
    )
    ad_id: str | None = Field(None, validation_alias=AliasChoices("adId", "utmAdId"))
    fbclid: str | None = None
    gclid: str | None = None
    msclkid: str | None = Field(None, validation_alias=AliasChoices("msclkid", "msclikid"))
    ttclid: str | None = None
    is_first: bool | None = None


class Contact(GhlModel):
    id: str
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    contact_name: str | None = Field(None, validation_alias=AliasChoices("contactName", "name"))
    source: str | None = None
    date_added: Moment | None = None
    date_updated: Moment | None = None
    attribution_source: Attribution | None = None
    last_attribution_source: Attribution | None = None
    attributions: list[Attribution] = []


class DealContact(GhlModel):
    """The contact an opportunity search embeds (no attribution there)."""

    id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class Opportunity(GhlModel):
    id: str
    name: str | None = None
    monetary_value: Decimal | None = None
    pipeline_id: str = ""
    pipeline_stage_id: str = ""
    status: str = ""
    source: str | None = None
    contact_id: str = ""
    contact: DealContact | None = None
    created_at: Moment | None = None
    updated_at: Moment | None = None
    last_stage_change_at: Moment | None = None
    last_status_change_at: Moment | None = None
    attribution_source: Attribution | None = None
    last_attribution_source: Attribution | None = None
    attributions: list[Attribution] = []


class Stage(GhlModel):
    id: str
    name: str = ""
    position: int | None = Field(None, validation_alias=AliasChoices("position", "order"))


class Pipeline(GhlModel):
    id: str
    name: str = ""
    stages: list[Stage] = []


class Calendar(GhlModel):
    id: str
    name: str = ""


class CalendarEvent(GhlModel):
    """An appointment (`/calendars/events`)."""

    id: str
    calendar_id: str = ""
    contact_id: str = ""
    title: str = ""
    appointment_status: str = ""
    assigned_user_id: str = ""
    start_time: Moment | None = None
    end_time: Moment | None = None
    date_added: Moment | None = None
    date_updated: Moment | None = None


class PageMeta(GhlModel):
    """The cursor of list and search answers: pass `startAfter` and `startAfterId` together."""

    start_after: str | None = None
    start_after_id: str | None = None
    next_page_url: str | None = None
    total: int | None = None


class Location(GhlModel):
    id: str = ""
    currency: str | None = None
    timezone: str | None = None
