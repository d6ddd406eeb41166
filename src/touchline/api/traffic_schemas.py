"""Response models of the traffic endpoints (numbers rounded as the spec's examples: money
and percentages to 2 decimals), and their mapping from the query layer's results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import Field

from touchline.analytics import breakdowns, overview, timeseries
from touchline.api.schemas import ApiModel


def _money(value: Decimal) -> float:
    return float(value)


class OverviewKpis(ApiModel):
    spend: float = Field(examples=[4250.0], description="Ad spend, reporting currency")
    revenue: float = Field(examples=[12800.0], description="Attributed cash (ROAS numerator)")
    roas: float | None = Field(examples=[3.01], description="revenue / spend; null without spend")
    outcomes: int = Field(examples=[145], description="Attribution-eligible conversions")
    attributed_outcomes: int = Field(examples=[132], description="Of them, credited to a touch")
    coverage_percent: float = Field(examples=[91.03])
    visitors: int = Field(examples=[8420])
    pageviews: int = Field(examples=[24100])
    bounce_rate: float = Field(examples=[42.5])
    avg_engaged_seconds: float = Field(examples=[185.0])
    cash_revenue: float = Field(examples=[12800.0], description="Cash collected, any model")
    cash_payments: int = Field(examples=[48])


class DateRange(ApiModel):
    date_from: dt.date
    date_to: dt.date


class OverviewData(ApiModel):
    current: OverviewKpis
    previous: OverviewKpis
    previous_period: DateRange = Field(description="The previous period's inclusive days")


class TimeseriesPoint(ApiModel):
    date: dt.date
    visitors: int = Field(examples=[1250])
    pageviews: int = Field(examples=[3600])
    bounces: int = Field(examples=[520])
    cash_revenue: float = Field(examples=[2400.0], description="Cash collected that day")
    spend: float = Field(examples=[680.0])


class BreakdownRow(ApiModel):
    value: str = Field(examples=["Paid Social"], description="'(none)' for an empty value")
    visitors: int = Field(examples=[3200])
    visits: int = Field(examples=[4100])
    pageviews: int = Field(examples=[12500])
    bounce_rate: float = Field(examples=[38.5])
    conversions: float = Field(examples=[85.0], description="Credit-weighted, every revenue type")
    conversion_rate: float | None = Field(
        examples=[2.66], description="conversions / visitors * 100; null without visitors"
    )
    revenue: float = Field(examples=[8500.0], description="Attributed cash")


class DimensionRow(BreakdownRow):
    sessions: int = Field(examples=[4100], description="The same as visits")


class Realtime(ApiModel):
    visitors_online: int = Field(examples=[24])


def kpis(found: overview.Kpis) -> OverviewKpis:
    return OverviewKpis(
        spend=_money(found.spend),
        revenue=_money(found.credited.revenue),
        roas=found.roas,
        outcomes=found.outcomes.outcomes,
        attributed_outcomes=found.outcomes.attributed,
        coverage_percent=found.outcomes.coverage_percent,
        visitors=found.visits.visitors,
        pageviews=found.visits.pageviews,
        bounce_rate=found.visits.bounce_rate,
        avg_engaged_seconds=found.visits.avg_engaged_seconds,
        cash_revenue=_money(found.cash.revenue),
        cash_payments=found.cash.payments,
    )


def overview_data(found: overview.Overview) -> OverviewData:
    previous = found.previous_period
    return OverviewData(
        current=kpis(found.current),
        previous=kpis(found.previous),
        previous_period=DateRange(date_from=previous.date_from, date_to=previous.date_to),
    )


def timeseries_point(day: timeseries.Day) -> TimeseriesPoint:
    return TimeseriesPoint(
        date=day.day,
        visitors=day.visits.visitors,
        pageviews=day.visits.pageviews,
        bounces=day.visits.bounces,
        cash_revenue=_money(day.cash.revenue),
        spend=_money(day.spend),
    )


def breakdown_row(row: breakdowns.BreakdownRow) -> BreakdownRow:
    return BreakdownRow(**_row_fields(row))


def dimension_row(row: breakdowns.BreakdownRow) -> DimensionRow:
    return DimensionRow(**_row_fields(row), sessions=row.visits.visits)


def _row_fields(row: breakdowns.BreakdownRow) -> dict[str, Any]:
    return {
        "value": row.value,
        "visitors": row.visits.visitors,
        "visits": row.visits.visits,
        "pageviews": row.visits.pageviews,
        "bounce_rate": row.visits.bounce_rate,
        "conversions": row.conversions,
        "conversion_rate": row.conversion_rate,
        "revenue": _money(row.revenue),
    }
