"""`/quality` over the March of tests/api/shop.py: each attribution-eligible conversion is
classed once by the best marketing data among its touches."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.shop import feed, get, refused

from touchline.domain.keys import Scope

PERIOD = {"date_from": "2026-03-10", "date_to": "2026-03-13"}


def test_quality_classes_every_conversion_once(api: Api) -> None:
    feed(api)
    # Full UTMs: Ana's payment and lead (the Spring ad), Ben's payment (the newsletter).
    # A click id only: Eva's (gclid). Nothing: Dan and Caro never visited. 4 of 6 = 66.67 %.
    assert get(api, "/quality", **PERIOD)["data"] == {
        "total_events": 6, "with_full_utms": 3, "with_partial_utms": 0, "with_fbclid_only": 1,
        "with_no_tracking": 2, "coverage_percent": 66.67,
    }  # fmt: skip
    empty = get(api, "/quality", date_from="2026-02-01", date_to="2026-02-28")["data"]
    assert (empty["total_events"], empty["coverage_percent"]) == (0, 0.0)


def test_quality_needs_the_analytics_scope(api: Api) -> None:
    assert refused(api, "/quality", api.key(Scope.CONVERSIONS_READ), **PERIOD) == (
        403,
        "insufficient_scope",
    )
