"""MercadoPago's signature scheme: the manifest, the id's case, `ts` in seconds or milliseconds,
five minutes of tolerance either way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.connectors.mercadopago.signing import REQUEST_ID, SECRET
from tests.connectors.mercadopago.signing import signature as documented

from touchline.connectors.base import WebhookRejected
from touchline.connectors.mercadopago import signature

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
TS = int(NOW.timestamp())


def check(header: str, *, data_id: str = "1319862441", at: datetime = NOW) -> None:
    signature.verify(secret=SECRET, header=header, request_id=REQUEST_ID, raw_data_id=data_id,
                     received_at=at)  # fmt: skip


def test_the_manifest_leaves_out_what_was_not_sent() -> None:
    assert signature.manifest(data_id="123", request_id="r-1", ts="170") == (
        "id:123;request-id:r-1;ts:170;"
    )
    assert signature.manifest(data_id="123", request_id="", ts="170") == "id:123;ts:170;"


def test_an_alphanumeric_id_is_lower_cased_and_others_kept() -> None:
    assert signature.data_id("ORD01ABC") == "ord01abc"
    assert signature.data_id("ORD-01") == "ORD-01"
    check(documented("ORD01ABC", TS), data_id="ORD01ABC")


def test_a_documented_signature_in_seconds_or_milliseconds_is_accepted() -> None:
    check(documented("1319862441", TS))
    check(documented("1319862441", TS * 1000 + 417))
    check(f" v1={documented('1319862441', TS).split('v1=')[1]} , ts={TS} ")  # any order


@pytest.mark.parametrize(
    ("header", "data_id"),
    [
        (documented("1319862441", TS, secret="another-secret"), "1319862441"),
        (documented("1319862442", TS), "1319862441"),  # signed for another payment
        (documented("1319862441", TS, request_id="other-request"), "1319862441"),
        (f"ts={TS}", "1319862441"),
        ("v1=abc", "1319862441"),
        ("", "1319862441"),
    ],
)
def test_a_signature_that_does_not_match_is_rejected(header: str, data_id: str) -> None:
    with pytest.raises(WebhookRejected):
        check(header, data_id=data_id)


@pytest.mark.parametrize(
    "offset", [timedelta(minutes=-5, seconds=-1), timedelta(minutes=5, seconds=1)]
)
def test_a_timestamp_more_than_five_minutes_away_is_stale(offset: timedelta) -> None:
    stamp = int((NOW + offset).timestamp())
    with pytest.raises(WebhookRejected, match="stale"):
        check(documented("1319862441", stamp))
    with pytest.raises(WebhookRejected, match="stale"):
        check(documented("1319862441", stamp * 1000))


def test_without_a_secret_nothing_verifies() -> None:
    with pytest.raises(WebhookRejected, match="no webhook secret"):
        signature.verify(secret="", header=documented("1", TS), request_id=REQUEST_ID,
                         raw_data_id="1", received_at=NOW)  # fmt: skip


@given(
    data_id=st.text(alphabet="abcdefABCDEF0123456789-_", min_size=1, max_size=24),
    skew=st.integers(min_value=-300, max_value=300),
    millis=st.booleans(),
)
def test_every_fresh_documented_signature_verifies(data_id: str, skew: int, millis: bool) -> None:
    stamp = TS + skew
    check(documented(data_id, stamp * 1000 if millis else stamp), data_id=data_id)
