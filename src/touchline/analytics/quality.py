"""Tracking quality of a period's conversions (the API's `/quality`, MCP's
`get_attribution_quality`): how many attribution-eligible conversions reached us through touches
with full UTMs, partial UTMs, only a click id, or no marketing data at all.

Each conversion is classified once, by the best data among the touches it is credited to (any
window), so the four counts add up to the total (docs/decisions/0744).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from touchline.analytics.attribution import period_params
from touchline.analytics.coverage import ELIGIBLE_IN_PERIOD
from touchline.analytics.period_credits import PERIOD_CREDITS
from touchline.analytics.query import Period, bound_sql
from touchline.store.base import EventStore, Sql

FULL_UTMS: Final = (
    "(utm_source <> '' AND utm_medium <> '' AND utm_campaign <> '') OR campaign_id <> ''"
)
ANY_UTM: Final = (
    "utm_source <> '' OR utm_medium <> '' OR utm_campaign <> '' OR utm_content <> ''"
    " OR utm_term <> ''"
)


@dataclass(frozen=True, slots=True)
class TrackingQuality:
    total_events: int  # attribution-eligible conversions in the period
    with_full_utms: int  # a touch with utm_source, utm_medium and utm_campaign (or an ad id)
    with_partial_utms: int  # some UTMs, never all three
    with_fbclid_only: int  # a click id (any: fbclid, gclid, …) but no UTMs (§9 #41)
    with_no_tracking: int  # no touch with marketing data, or no touch at all

    @property
    def coverage_percent(self) -> float:
        """Share with at least some attribution data, to two places (the API's example)."""
        return self._pct(self.total_events - self.with_no_tracking, places=2)

    @property
    def attributable_coverage_pct(self) -> float:
        """The same share from the raw counts, rounded once to one place (§9 #42)."""
        return self._pct(self.total_events - self.with_no_tracking, places=1)

    @property
    def full_utms_pct(self) -> float:
        return self._pct(self.with_full_utms, places=1)

    @property
    def partial_utms_pct(self) -> float:
        return self._pct(self.with_partial_utms, places=1)

    @property
    def fbclid_only_pct(self) -> float:
        return self._pct(self.with_fbclid_only, places=1)

    @property
    def no_tracking_pct(self) -> float:
        return self._pct(self.with_no_tracking, places=1)

    def _pct(self, part: int, *, places: int) -> float:
        return round(100 * part / self.total_events, places) if self.total_events else 0.0


def tracking_quality_sql(profile_id: str, period: Period) -> Sql:
    return bound_sql(
        f"""WITH tagged AS (
  SELECT conversion_id,
    max(CASE WHEN {FULL_UTMS} THEN 1 ELSE 0 END) AS full_utms,
    max(CASE WHEN {ANY_UTM} THEN 1 ELSE 0 END) AS any_utm,
    max(CASE WHEN click_id <> '' THEN 1 ELSE 0 END) AS has_click
  FROM ({PERIOD_CREDITS}) AS credits
  WHERE profile_id = $profile AND conversion_ts >= $start AND conversion_ts < $end
  GROUP BY conversion_id
),
classed AS (
  SELECT coalesce(t.full_utms, 0) AS f, coalesce(t.any_utm, 0) AS u,
    coalesce(t.has_click, 0) AS k
  FROM (SELECT conversion_id FROM conversions WHERE {ELIGIBLE_IN_PERIOD}) c
  LEFT JOIN tagged t ON t.conversion_id = c.conversion_id
)
SELECT count(*),
  sum(CASE WHEN f = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN f = 0 AND u = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN f = 0 AND u = 0 AND k = 1 THEN 1 ELSE 0 END)
FROM classed""",
        period_params(profile_id, period),
    )


def tracking_quality(store: EventStore, *, profile_id: str, period: Period) -> TrackingQuality:
    [(total, full, partial, clicks)] = store.query(tracking_quality_sql(profile_id, period))
    total, full, partial, clicks = (int(v or 0) for v in (total, full, partial, clicks))
    return TrackingQuality(total, full, partial, clicks, total - full - partial - clicks)
