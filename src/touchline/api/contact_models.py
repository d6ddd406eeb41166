"""The `/contacts` request body and answer: the filters (dates as days in the profile's
timezone or exact ISO 8601 instants) and each contact's summary in AttributionHub's shape."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from pydantic import Field

from touchline.analytics.contacts import ContactFilter
from touchline.analytics.cursor import iso_utc
from touchline.api.schemas import ApiModel
from touchline.domain import contacts as domain
from touchline.domain.contacts import TouchScope
from touchline.domain.identity import normalize_email
from touchline.errors import InvalidParameter
from touchline.ingest.context import ProfileContext

MAX_EMAILS: Final = 10_000


class ContactRequest(ApiModel):
    """Every filter is exact and case-sensitive, and all must hold for one same session."""

    offset: int = Field(0, ge=0, description="The previous answer's records_processed")
    emails: list[str] | str | None = Field(
        None, description="Emails (array or comma-separated); disables every other filter"
    )
    start_date: str | None = Field(None, examples=["2025-07-01", "2025-07-01T00:00:00Z"])
    end_date: str | None = Field(None, examples=["2025-07-31", "2025-07-31T23:59:59Z"])
    conversion_page: str | None = None
    meta_type: str | None = Field(None, description="The conversion's goal key")
    meta_id: str | None = Field(None, description="The conversion's source event name")
    source: str | None = Field(None, examples=["google.com"])
    medium: str | None = Field(None, examples=["cpc"])
    campaign: str | None = None
    content: str | None = None
    term: str | None = None
    landing_page: str | None = Field(None, examples=["https://www.example.com/"])
    touch_scope: TouchScope = TouchScope.ANY

    def email_list(self) -> list[str]:
        """The emails, normalized, in the order given (an invalid one is kept and matches none)."""
        raw = self.emails.split(",") if isinstance(self.emails, str) else list(self.emails or [])
        emails = [e.strip() for e in raw if e.strip()]
        if len(emails) > MAX_EMAILS:
            raise InvalidParameter(f"at most {MAX_EMAILS} emails", parameter="emails")
        return [normalize_email(e) or e for e in emails]

    def contact_filter(self, profile: ProfileContext) -> ContactFilter:
        zone = ZoneInfo(profile.timezone)
        start = _instant(self.start_date, "start_date", zone, end=False)
        end = _instant(self.end_date, "end_date", zone, end=True)
        if start is not None and end is not None and start > end:
            raise InvalidParameter("start_date is after end_date", parameter="start_date")
        return ContactFilter(
            profile_id=profile.profile_id, offset=self.offset, start=start, end=end,
            source=self.source, medium=self.medium, campaign=self.campaign,
            content=self.content, term=self.term, landing_page=self.landing_page,
            conversion_page=self.conversion_page, meta_type=self.meta_type,
            meta_id=self.meta_id, touch_scope=self.touch_scope,
        )  # fmt: skip


def _instant(text: str | None, name: str, zone: ZoneInfo, *, end: bool) -> datetime | None:
    """A day means its whole local day (an end day ends at its last microsecond)."""
    if not text:
        return None
    try:
        if len(text) == len("2025-07-01"):
            day = date.fromisoformat(text)
            if end:
                nxt = datetime.combine(day + timedelta(days=1), time(), zone)
                return nxt.astimezone(UTC) - timedelta(microseconds=1)
            return datetime.combine(day, time(), zone).astimezone(UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameter(
            f"{name} must be YYYY-MM-DD or ISO 8601, got {text!r}", parameter=name
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


class ConversionMeta(ApiModel):
    type: str = Field(description="The goal key (lead_created, payment_received, …)")
    id: str = Field(description="The event name the goal matched")


class ConversionOut(ApiModel):
    email: str
    timestamp: str
    conversion_page: str | None
    previous_page: str | None
    conversion_meta: ConversionMeta


class ExitOut(ApiModel):
    exit_page: str
    previous_page: str | None
    timestamp: str


class SessionOut(ApiModel):
    timestamp: str
    source: str | None
    medium: str | None
    content: str | None
    campaign: str | None
    term: str | None
    landing_page: str | None
    conversion: ConversionOut | None = None
    exit: ExitOut | None = None
    session_duration: int


class InterestedPages(ApiModel):
    landing_pages: dict[str, int]
    conversion_pages: dict[str, int]
    exit_pages: dict[str, int]
    previous_conversion_pages: dict[str, int]
    previous_exit_pages: dict[str, int]


class Summary(ApiModel):
    total_sessions: int
    total_conversions: int
    conversion_rate_percent: float | None
    conversion_dates: list[str]
    days_since_last_conversion: int | None
    is_repeat_converter: bool
    avg_days_between_conversions: float | None
    avg_days_between_sessions: float | None
    avg_session_duration_seconds: int | None
    days_to_convert: int | None
    user_journey: list[SessionOut]
    interested_pages: InterestedPages
    first_touch: SessionOut | None
    converting_touch: SessionOut | None
    recent_touch: SessionOut | None


class Contact(ApiModel):
    email: str
    summary: Summary


class Pagination(ApiModel):
    records_processed: int = Field(description="Pass as the next request's offset")
    total_records: int = Field(description="Matching sessions (or emails given)")
    has_more: bool


class ContactsAnswer(ApiModel):
    contacts: list[Contact]
    pagination: Pagination


class NoContacts(ApiModel):
    message: str = Field(examples=["No contacts found for the given parameters."])


NO_CONTACTS: Final = NoContacts(message="No contacts found for the given parameters.")


def contact(email: str, summary: domain.Summary, journey: domain.Journey) -> Contact:
    shown = [_session(s, email) for s in journey.sessions]
    pages = summary.pages
    return Contact(
        email=email,
        summary=Summary(
            total_sessions=summary.total_sessions, total_conversions=summary.total_conversions,
            conversion_rate_percent=summary.conversion_rate_percent,
            conversion_dates=[iso_utc(d) for d in summary.conversion_dates],
            days_since_last_conversion=summary.days_since_last_conversion,
            is_repeat_converter=summary.is_repeat_converter,
            avg_days_between_conversions=summary.avg_days_between_conversions,
            avg_days_between_sessions=summary.avg_days_between_sessions,
            avg_session_duration_seconds=summary.avg_session_duration_seconds,
            days_to_convert=summary.days_to_convert, user_journey=shown,
            interested_pages=InterestedPages(
                landing_pages=pages.landing_pages, conversion_pages=pages.conversion_pages,
                exit_pages=pages.exit_pages,
                previous_conversion_pages=pages.previous_conversion_pages,
                previous_exit_pages=pages.previous_exit_pages,
            ),
            first_touch=_touch(summary.first_touch, email),
            converting_touch=_touch(summary.converting_touch, email),
            recent_touch=_touch(summary.recent_touch, email),
        ),
    )  # fmt: skip


def _touch(session: domain.Session | None, email: str) -> SessionOut | None:
    return None if session is None else _session(session, email)


def _session(session: domain.Session, email: str) -> SessionOut:
    converted, ended = session.conversion, session.exit
    return SessionOut(
        timestamp=iso_utc(session.started_at), source=session.source, medium=session.medium,
        content=session.content, campaign=session.campaign, term=session.term,
        landing_page=session.landing_page,
        conversion=None if converted is None else ConversionOut(
            email=email, timestamp=iso_utc(converted.at), conversion_page=converted.page,
            previous_page=converted.previous_page,
            conversion_meta=ConversionMeta(type=converted.goal_key, id=converted.event_name),
        ),
        exit=None if ended is None else ExitOut(
            exit_page=ended.page, previous_page=ended.previous_page,
            timestamp=iso_utc(ended.at),
        ),
        session_duration=session.duration_seconds,
    )  # fmt: skip
