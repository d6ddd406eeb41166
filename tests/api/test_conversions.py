"""`/conversions` and `/conversions/timeseries` over the March of tests/api/shop.py: every
conversion counts, attributed or not, in any currency; a refund is not a conversion."""

from __future__ import annotations

import pytest
from tests.api.conftest import Api
from tests.api.shop import feed, get, refused

from touchline.domain.keys import Scope

PERIOD = {"date_from": "2026-03-10", "date_to": "2026-03-13"}


@pytest.fixture
def fed(api: Api) -> Api:
    feed(api)
    return api


def test_counts_per_event_type_include_unattributed_and_foreign_currency_payments(
    fed: Api,
) -> None:
    # Payments of Ana, Ben, Eva, Dan (EUR, no visit) and Caro (MXN, no visit); Ana's lead.
    body = get(fed, "/conversions", **PERIOD)
    assert body["data"] == [
        {"event_type": "payment_received", "count": 5, "revenue_type": "cash"},
        {"event_type": "lead_created", "count": 1, "revenue_type": "pipeline"},
    ]
    assert body["meta"] == {**PERIOD, "profile_id": fed.served.profile_id}
    one_day = get(fed, "/conversions", date_from="2026-03-13", date_to="2026-03-13")
    assert one_day["data"] == [
        {"event_type": "payment_received", "count": 1, "revenue_type": "cash"}
    ]  # Caro's payment; Ana's refund that day is not a conversion


def test_timeseries_has_a_row_per_day_and_event_type_that_had_conversions(fed: Api) -> None:
    assert get(fed, "/conversions/timeseries", **PERIOD)["data"] == [
        {"date": "2026-03-10", "event_type": "lead_created", "count": 1},
        {"date": "2026-03-12", "event_type": "payment_received", "count": 4},
        {"date": "2026-03-13", "event_type": "payment_received", "count": 1},
    ]


def test_conversions_need_their_scope(api: Api) -> None:
    campaigns_only = api.key(Scope.CAMPAIGNS_READ)
    for path in ("/conversions", "/conversions/timeseries"):
        assert refused(api, path, campaigns_only, **PERIOD) == (403, "insufficient_scope")
        assert refused(api, path, api.key(), date_from="2026-03-10") == (400, "invalid_date_range")
