"""Connector events: deterministic ids, records keyed by content."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.connectors.events import event_id, record_event, server_event
from touchline.domain.records import RecordKind
from touchline.ingest.protocol import EventType, Identity

AT = datetime(2026, 11, 1, 12, tzinfo=UTC)


@given(st.lists(st.text(max_size=20), min_size=1, max_size=4))
def test_the_same_key_gives_the_same_id_and_another_key_another(key: list[str]) -> None:
    assert event_id("stripe", key) == event_id("stripe", list(key))
    assert event_id("stripe", key) != event_id("shopify", key)
    assert event_id("stripe", key) != event_id("stripe", [*key, "x"])


def test_a_server_event_is_a_track_event_with_revenue_and_identity() -> None:
    event = server_event(
        provider="stripe", key=("evt_1",), name="payment_received", at=AT,
        identity=Identity(email="a@b.co"), amount=Decimal("19.99"), currency="usd",
        payload={"provider_ref": "pi_1"},
    )  # fmt: skip
    assert event.type is EventType.TRACK
    assert event.timestamp == int(AT.timestamp() * 1000)
    assert event.revenue is not None
    assert (event.revenue.amount, event.revenue.currency) == (19.99, "USD")
    assert event.anonymous_id.startswith("server:stripe:")


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        server_event(provider="x", key=("1",), name="n", at=datetime(2026, 1, 1))  # noqa: DTZ001


def insight(spend: str) -> dict[str, object]:
    return {"platform": "meta", "level": "ad", "entity_id": "9", "day": "2026-11-01",
            "spend": spend, "currency": "EUR"}  # fmt: skip


def test_a_record_id_changes_with_its_content_not_with_when_it_was_synced() -> None:
    first = record_event(provider="meta", kind=RecordKind.AD_INSIGHT, at=AT, data=insight("5"))
    again = record_event(
        provider="meta", kind=RecordKind.AD_INSIGHT, at=datetime.now(UTC), data=insight("5")
    )
    restated = record_event(provider="meta", kind=RecordKind.AD_INSIGHT, at=AT, data=insight("6"))
    assert first.event_id == again.event_id
    assert restated.event_id != first.event_id
    assert first.type is EventType.RECORD and first.name == "ad_insight"


def test_records_refuse_unknown_fields_and_missing_keys() -> None:
    with pytest.raises(ValueError, match="no field"):
        record_event(
            provider="meta", kind=RecordKind.AD_INSIGHT, at=AT, data={**insight("1"), "cpm": 3}
        )
    with pytest.raises(ValueError, match="need"):
        record_event(provider="meta", kind=RecordKind.AD_ENTITY, at=AT, data={"level": "ad"})
