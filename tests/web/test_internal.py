"""`GET /internal/stats`: the running server answers `touchline stats`, for its token only."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import orjson
from tests.serving import Served

from touchline.analytics.stats import STATS_PATH
from touchline.ingest.collect import COLLECT_PATH

Serve = Callable[..., Served]


def stats_url(profile_id: str) -> str:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return f"{STATS_PATH}?profile={profile_id}&from={today}&to={today}"


def bearer(served: Served) -> dict[str, str]:
    return {"authorization": f"Bearer {served.runtime.token}"}


def test_stats_count_what_collect_accepted(serve: Serve) -> None:
    served = serve()
    now = int(time.time() * 1000)
    events = [
        {
            "event_id": f"e{n}",
            "type": "page_view",
            "anonymous_id": "visitor-1",
            "timestamp": now + n,
            "url": f"https://shop.example/page-{n}",
        }
        for n in range(3)
    ]
    body = orjson.dumps({"tracking_key": served.tracking_key, "events": events})
    assert served.client.post(COLLECT_PATH, content=body).status_code == 202
    served.runtime.loader.drain()
    response = served.client.get(stats_url(served.profile_id), headers=bearer(served))
    assert response.status_code == 200
    summary = response.json()["summary"]
    assert summary["pageviews"] == 3
    assert summary["visitors"] == 1
    assert summary["visits"] == 1


def test_stats_without_the_server_token_are_unauthorized(serve: Serve) -> None:
    served = serve()
    for headers in ({}, {"authorization": "Bearer not-the-token"}):
        response = served.client.get(stats_url(served.profile_id), headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


def test_stats_errors_are_envelopes_the_cli_can_map_back(serve: Serve) -> None:
    served = serve()
    unknown = served.client.get(stats_url("prof_nobody"), headers=bearer(served))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    missing = served.client.get(STATS_PATH, headers=bearer(served))
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "invalid_parameter"
