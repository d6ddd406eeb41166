"""Report answers are reused while nothing is written, never across profiles, and never
after a write: a loaded batch makes the next answer fresh."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import Api
from tests.api.shop import feed, get, other_profile, send, visits

from touchline.analytics import campaigns as campaign_queries
from touchline.api.routes import campaigns as campaign_routes

PERIOD = {"date_from": "2026-03-10", "date_to": "2026-03-13"}


@pytest.fixture
def counted(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Profile ids the campaigns query ran for."""
    runs: list[str] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        runs.append(kwargs["profile_id"])
        return campaign_queries.attribution_by(*args, **kwargs)

    monkeypatch.setattr(campaign_routes, "attribution_by", counting)
    return runs


def test_a_repeated_question_is_answered_once_until_data_arrives(
    api: Api, counted: list[str]
) -> None:
    headers, other_key = api.key(), api.key()
    assert get(api, "/campaigns", headers, **PERIOD)["data"] == []
    assert get(api, "/campaigns", headers, **PERIOD)["data"] == []
    assert len(counted) == 1
    feed(api)  # the loader's writes make the cached empty answer stale
    names = [row["campaign_name"] for row in get(api, "/campaigns", headers, **PERIOD)["data"]]
    assert names == ["Spring Sale", "newsletter-march", "Retargeting"]
    assert len(counted) == 2
    # Another parameter is another question; another key of the same profile shares answers.
    get(api, "/campaigns", headers, model="linear", **PERIOD)
    get(api, "/campaigns", other_key, **PERIOD)
    assert len(counted) == 3


def test_profiles_never_share_an_answer(api: Api, counted: list[str]) -> None:
    feed(api)
    mine = get(api, "/campaigns", api.key(), **PERIOD)["data"]
    other_id, other_headers = other_profile(api)
    assert mine and get(api, "/campaigns", other_headers, **PERIOD)["data"] == []
    assert counted == [api.served.profile_id, other_id]


def test_a_loaded_batch_and_its_after_load_steps_count_as_one_write(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers never see a new write count per statement of the loader (decision 0997)."""
    store = api.served.runtime.store
    statements: list[str] = []
    for name in ("execute", "append"):
        real = getattr(store, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            statements.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(store, name, spy)
    before = store.changes.value
    send(api, visits(), origin="import")  # events, sessions, identities, touches, credits
    # One unit per drain: the server's own loader thread may have taken the first frames.
    assert len(statements) > 5 and 1 <= store.changes.value - before <= 2
