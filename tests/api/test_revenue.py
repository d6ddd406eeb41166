"""`/revenue` and `/revenue/cash` over the March of tests/api/shop.py: attributed cash by day
under a model (refunds negative on their day) beside spend, and cash collected per source in
its own currency."""

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


def test_revenue_by_day_is_attributed_cash_beside_every_platforms_spend(fed: Api) -> None:
    # Mar 12: Ana 300 + Ben 50 + Eva 10 (Dan never visited: unattributed); Mar 13: Ana's
    # refund of 100 (Caro unattributed). Spend: Spring 100 (Mar 10), Spring 50 + Retargeting 30.
    expected = [
        {"date": "2026-03-10", "revenue": 0.0, "spend": 100.0},
        {"date": "2026-03-11", "revenue": 0.0, "spend": 80.0},
        {"date": "2026-03-12", "revenue": 360.0, "spend": 0.0},
        {"date": "2026-03-13", "revenue": -100.0, "spend": 0.0},
    ]
    assert get(fed, "/revenue", **PERIOD)["data"] == expected
    assert get(fed, "/revenue", model="position_based", **PERIOD)["data"] == expected  # one touch
    assert refused(fed, "/revenue", fed.key(), model="nope", **PERIOD) == (
        400,
        "invalid_parameter",
    )


def test_cash_collected_is_per_source_and_original_currency_net_of_refunds(fed: Api) -> None:
    assert get(fed, "/revenue/cash", **PERIOD)["data"] == [
        {"source": "mercadopago", "currency": "MXN", "total": 500.0, "count": 1, "refunds": 0,
         "refunded": 0.0},
        {"source": "stripe", "currency": "EUR", "total": 40.0, "count": 1, "refunds": 0,
         "refunded": 0.0},
        {"source": "stripe", "currency": "USD", "total": 260.0, "count": 3, "refunds": 1,
         "refunded": 100.0},
    ]  # fmt: skip
    before = get(fed, "/revenue/cash", date_from="2026-03-01", date_to="2026-03-09")
    assert before["data"] == []


def test_revenue_needs_the_conversions_scope(api: Api) -> None:
    analytics_only = api.key(Scope.ANALYTICS_READ)
    for path in ("/revenue", "/revenue/cash"):
        assert refused(api, path, analytics_only, **PERIOD) == (403, "insufficient_scope")
