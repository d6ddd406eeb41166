"""`/keywords` over the Search Console records of tests/api/shop.py: per query over pages,
countries and devices, CTR from the sums, impression-weighted position."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.shop import feed, get, refused

from touchline.domain.keys import Scope

PERIOD = {"date_from": "2026-03-10", "date_to": "2026-03-13"}


def test_keywords_rank_by_clicks_with_ctr_and_weighted_position(api: Api) -> None:
    feed(api)
    whitening = {"keyword": "teeth whitening", "impressions": 800, "clicks": 20, "ctr": 2.5,
                 "avg_position": 3.0}  # fmt: skip
    dentist = {"keyword": "dentist cdmx", "impressions": 300, "clicks": 15, "ctr": 5.0,
               "avg_position": 4.7}  # (2 x 100 + 6 x 200) / 300  # fmt: skip
    assert get(api, "/keywords", **PERIOD)["data"] == [whitening, dentist]
    assert get(api, "/keywords", limit="1", **PERIOD)["data"] == [whitening]
    assert [k["keyword"] for k in get(api, "/keywords", date_from="2026-03-01",
                                       date_to="2026-03-01")["data"]] == ["old query"]  # fmt: skip


def test_keywords_check_limit_and_scope(api: Api) -> None:
    assert refused(api, "/keywords", api.key(), limit="0", **PERIOD) == (400, "invalid_parameter")
    assert refused(api, "/keywords", api.key(), limit="x", **PERIOD) == (400, "invalid_parameter")
    assert refused(api, "/keywords", api.key(Scope.CAMPAIGNS_READ), **PERIOD) == (
        403,
        "insufficient_scope",
    )
