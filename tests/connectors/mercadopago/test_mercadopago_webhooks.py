"""MercadoPago's `receive`: the signature is checked before anything is read; the notified
payment is fetched through the API client (recorded answers on a loopback server) and mapped;
other topics, missing and test-mode payments are acknowledged; API failures surface."""

from __future__ import annotations

import time
from typing import Any

import pytest
from tests.connectors.fixture_server import Answer, FixtureServer, recorded
from tests.connectors.mercadopago.signing import SECRET, fixture, notification

from touchline.connectors.base import (
    Connection,
    HttpOptions,
    Provider,
    ProviderAuthExpired,
    ProviderUnavailable,
    WebhookRejected,
)
from touchline.connectors.mercadopago.webhooks import receive

HTTP = HttpOptions(sleep=lambda _: None, max_retries=2)
PROFILE = "prof_mp"
PAYMENT_PATH = "/v1/payments/1319862441"


def connection(api: FixtureServer) -> Connection:
    return Connection(
        "conn_mp", PROFILE, Provider.MERCADOPAGO, config={"api_base": api.url},
        secrets={"webhook_secret": SECRET, "access_token": "APP_USR-8842-token"},
    )  # fmt: skip


def payment(name: str = "payment.approved.brl", **changes: Any) -> Answer:
    body = fixture(f"api/{name}.json") | changes
    body["metadata"] = {**body.get("metadata", {}), "atribu_profile_id": PROFILE}
    return Answer.json(body)


def test_a_signed_notification_fetches_the_payment_with_the_token_and_maps_it(
    provider_api: FixtureServer,
) -> None:
    provider_api.route("GET", PAYMENT_PATH, payment())
    [raw] = receive(connection(provider_api), notification(), HTTP)
    assert (raw.name, raw.revenue and raw.revenue.currency) == ("payment_received", "BRL")
    assert raw.revenue is not None and raw.revenue.amount == 150.5
    assert raw.identity is not None and raw.identity.mercadopago_payer_id == "1274384567"
    assert raw.payload is not None
    assert (raw.payload["provider_ref"], raw.payload["campaign_id"]) == (
        "1319862441", "120210000000001",
    )  # fmt: skip
    assert raw.payload["anonymous_id"] == "v_mp_4411"
    assert '"type":"payment"' in raw.payload["raw"]
    assert '"transaction_amount":150.5' in raw.payload["api_response"]
    [seen] = provider_api.requests
    assert seen.headers["authorization"] == "Bearer APP_USR-8842-token"


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(lambda: notification(secret="wrong"), id="bad-signature"),
        pytest.param(lambda: notification(at=time.time(), ts=int(time.time()) - 301), id="stale"),
        pytest.param(lambda: notification(ts=int(time.time() * 1000) - 301_000), id="stale-ms"),
    ],
)
def test_a_bad_or_stale_signature_is_rejected_before_the_api_is_called(
    provider_api: FixtureServer, request_: Any
) -> None:
    provider_api.route("GET", PAYMENT_PATH, payment())
    with pytest.raises(WebhookRejected):
        receive(connection(provider_api), request_(), HTTP)
    assert provider_api.requests == []


def test_a_notification_without_its_id_in_the_url_is_rejected(provider_api: FixtureServer) -> None:
    signed = notification()
    unsigned = type(signed)(signed.headers, {"type": "payment"}, signed.body, signed.received_at)
    with pytest.raises(WebhookRejected, match=r"data\.id"):
        receive(connection(provider_api), unsigned, HTTP)


def test_a_timestamp_in_milliseconds_is_accepted(provider_api: FixtureServer) -> None:
    provider_api.route("GET", PAYMENT_PATH, payment())
    assert (
        len(receive(connection(provider_api), notification(ts=int(time.time() * 1000)), HTTP)) == 1
    )


def test_other_topics_are_acknowledged_without_reading_the_api(provider_api: FixtureServer) -> None:
    body = fixture("notifications/merchant_order.json")
    request = notification("21334512345", topic="topic_merchant_order_wh", body=body)
    assert receive(connection(provider_api), request, HTTP) == []
    assert provider_api.requests == []


def test_a_pending_a_test_mode_or_a_missing_payment_stores_nothing(
    provider_api: FixtureServer,
) -> None:
    provider_api.route("GET", PAYMENT_PATH, payment("payment.pending"))
    assert receive(connection(provider_api), notification(), HTTP) == []
    provider_api.route("GET", PAYMENT_PATH, payment(live_mode=False))
    assert receive(connection(provider_api), notification(), HTTP) == []
    provider_api.route("GET", PAYMENT_PATH, recorded("mercadopago/api/error.not_found.json",
                                                           404))  # fmt: skip
    assert receive(connection(provider_api), notification(), HTTP) == []


def test_a_refunded_payment_brings_its_payment_and_its_refunds(provider_api: FixtureServer) -> None:
    provider_api.route("GET", PAYMENT_PATH, payment("payment.charged_back.brl"))
    events = receive(connection(provider_api), notification(), HTTP)
    assert [e.name for e in events] == ["payment_received", "payment_refunded", "chargeback"]
    assert all(e.payload and e.payload.get("refund_of") == "1319862441" for e in events[1:])
    again = receive(connection(provider_api), notification(at=time.time() + 30), HTTP)
    assert [e.event_id for e in again] == [e.event_id for e in events]


def test_an_invalid_token_or_an_api_outage_is_raised_so_mercadopago_retries(
    provider_api: FixtureServer,
) -> None:
    provider_api.route("GET", PAYMENT_PATH,
                       recorded("mercadopago/api/error.invalid_token.json", 401))  # fmt: skip
    with pytest.raises(ProviderAuthExpired):
        receive(connection(provider_api), notification(), HTTP)
    provider_api.route("GET", PAYMENT_PATH, Answer.json({"message": "internal"}, 500))
    with pytest.raises(ProviderUnavailable):
        receive(connection(provider_api), notification(), HTTP)
    assert len(provider_api.requests) == 1 + 3  # the outage was retried twice
