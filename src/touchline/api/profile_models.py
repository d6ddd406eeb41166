"""Request and response shapes of `/customer-profiles` (the peers' customers API, decision
0982): camelCase request fields as the peers send them, snake_case answers like ours."""

from __future__ import annotations

from decimal import Decimal

from pydantic import ConfigDict, Field

from touchline.analytics.cohorts import Cohort, LtvCohort
from touchline.analytics.cursor import iso_utc
from touchline.analytics.journeys import Journey, JourneyConversion, JourneyTouch
from touchline.analytics.lifetime import NOTHING, Lifetime
from touchline.api.schemas import ApiModel, ProfileMeta
from touchline.control.repos.customers import CustomerRecord
from touchline.identity.profiles import ProfileFields


class ProfileInput(ApiModel):
    """What a create or change sets; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    external_id: str | None = Field(
        default=None, alias="externalId", max_length=200, examples=["crm-4242"]
    )
    email: str | None = Field(default=None, max_length=320, examples=["ana@example.com"])
    phone: str | None = Field(default=None, max_length=40, examples=["+5215512345678"])
    first_name: str | None = Field(default=None, alias="firstName", max_length=200)
    last_name: str | None = Field(default=None, alias="lastName", max_length=200)

    def fields(self) -> ProfileFields:
        return ProfileFields(
            external_id=self.external_id, email=self.email, phone=self.phone,
            first_name=self.first_name, last_name=self.last_name,
        )  # fmt: skip


class Identifier(ApiModel):
    kind: str = Field(examples=["email"])
    value: str


class CustomerProfile(ApiModel):
    id: str
    external_id: str | None
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    display_name: str
    identifiers: list[Identifier]
    conversion_count: int
    ltv: float = Field(description="Cash in the reporting currency, net of refunds")
    currency: str
    first_conversion_at: str | None
    last_conversion_at: str | None
    created_at: str
    updated_at: str


class PageMeta(ProfileMeta):
    page: int
    limit: int
    total: int
    has_more: bool


class ProfileList(ApiModel):
    """`{"data": [...], "meta": {profile_id, page, limit, total, has_more}}`."""

    data: list[CustomerProfile]
    meta: PageMeta


class Count(ApiModel):
    count: int


class Written(ApiModel):
    created: bool
    customer: CustomerProfile


class Erased(ApiModel):
    id: str
    deleted: bool
    rows_scrubbed: int = Field(description="Event-plane rows rewritten without the PII")


class CohortRow(ApiModel):
    cohort: str = Field(examples=["2026-03", "2026-03-16", "spring_sale", "google.com"])
    customers: int
    converted: int
    conversions: int
    ltv: float
    average_ltv: float


class Cohorts(ApiModel):
    group_by: str
    currency: str
    cohorts: list[CohortRow]


class LtvCohortRow(ApiModel):
    cohort: str = Field(examples=["2026-03"])
    customers: int
    cumulative_ltv: list[float] = Field(description="Cohort cash by the end of month 0, 1, …")
    average_ltv: list[float] = Field(description="cumulative_ltv per customer")


class LtvCohorts(ApiModel):
    months: int
    currency: str
    cohorts: list[LtvCohortRow]


class Recalculated(ApiModel):
    id: str
    ltv: float
    currency: str
    conversion_count: int
    conversions_revalued: int = Field(description="Conversions re-valued at today's rates")
    calculated_at: str


class Credit(ApiModel):
    touch_key: str
    touch_type: str
    touch_time: str
    channel: str
    source: str | None
    campaign: str | None
    credit: float
    attributed_value: float | None


class AttributedConversion(ApiModel):
    conversion_id: str
    goal_key: str
    revenue_type: str
    conversion_time: str
    value: float | None
    currency: str
    reporting_value: float | None
    credits: list[Credit]


class Attribution(ApiModel):
    model: str
    currency: str
    conversions: list[AttributedConversion]
    attributed_value: float


class UnmergeInput(ApiModel):
    merge_id: str = Field(min_length=1, max_length=64, description="From `identity merges`")


class Unmerged(ApiModel):
    merge_id: str
    winner_id: str
    loser_id: str


def money(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def customer_profile(
    record: CustomerRecord, life: Lifetime | None, currency: str
) -> CustomerProfile:
    life = life or NOTHING
    return CustomerProfile(
        id=record.id, external_id=record.external_id, email=record.email, phone=record.phone,
        first_name=record.first_name, last_name=record.last_name,
        display_name=record.display_name,
        identifiers=[Identifier(kind=k, value=v) for k, v in record.identifiers],
        conversion_count=life.conversions, ltv=round(float(life.ltv), 2), currency=currency,
        first_conversion_at=iso_utc(life.first_conversion_at) if life.first_conversion_at
        else None,
        last_conversion_at=iso_utc(life.last_conversion_at) if life.last_conversion_at else None,
        created_at=iso_utc(record.created_at), updated_at=iso_utc(record.updated_at),
    )  # fmt: skip


def cohort_row(row: Cohort) -> CohortRow:
    return CohortRow(
        cohort=row.cohort, customers=row.customers, converted=row.converted,
        conversions=row.conversions, ltv=round(float(row.ltv), 2),
        average_ltv=round(float(row.average_ltv), 2),
    )  # fmt: skip


def ltv_cohort_row(row: LtvCohort) -> LtvCohortRow:
    return LtvCohortRow(
        cohort=row.cohort, customers=row.customers,
        cumulative_ltv=[round(float(v), 2) for v in row.cumulative],
        average_ltv=[round(float(v / row.customers), 2) for v in row.cumulative],
    )  # fmt: skip


def attribution(journey: Journey, currency: str) -> Attribution:
    touches = {t.touch.touch_key: t for t in journey.touches}
    rows = [_attributed(c, touches) for c in journey.conversions]
    total = sum((c.attributed_value or 0.0) for row in rows for c in row.credits)
    return Attribution(
        model=journey.model.value, currency=currency, conversions=rows,
        attributed_value=round(total, 2),
    )  # fmt: skip


def _attributed(
    conversion: JourneyConversion, touches: dict[int, JourneyTouch]
) -> AttributedConversion:
    credits = [
        _credit(touches[key], share, conversion.reporting_value)
        for key, share in sorted(conversion.credits.items())
        if key in touches
    ]
    credits.sort(key=lambda c: (c.touch_time, c.touch_key))
    return AttributedConversion(
        conversion_id=conversion.conversion_id, goal_key=conversion.goal_key,
        revenue_type=conversion.revenue_type, conversion_time=iso_utc(conversion.ts),
        value=money(conversion.value), currency=conversion.currency,
        reporting_value=money(conversion.reporting_value), credits=credits,
    )  # fmt: skip


def _credit(touch: JourneyTouch, share: float, value: Decimal | None) -> Credit:
    t = touch.touch
    return Credit(
        touch_key=str(t.touch_key), touch_type=t.touch_type, touch_time=iso_utc(t.ts),
        channel=t.channel, source=t.source or None, campaign=touch.campaign or None,
        credit=round(share, 6),
        attributed_value=None if value is None else round(float(value) * share, 2),
    )  # fmt: skip
