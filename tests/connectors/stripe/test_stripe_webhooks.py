"""Stripe's `receive`: signatures checked by the SDK (bad, stale, missing → rejected), test-mode
events acknowledged, redeliveries identical, Payment Link bindings applied (the profile must
match; a bound customer profile's identifiers added), the raw body kept."""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
import pytest
from tests.attribution.journeys import World
from tests.connectors.fixture_server import FixtureServer, recorded
from tests.connectors.stripe.signing import SECRET, event, request
from tests.identity.graph_helpers import ids, resolve

from touchline.connectors.base import Connection, HttpOptions, Provider, WebhookRejected
from touchline.connectors.stripe.webhooks import receive
from touchline.control.db import Database
from touchline.control.repos import customers
from touchline.ingest.protocol import RawEvent

HTTP = HttpOptions(sleep=lambda _: None)
PROFILE = "prof_webhooks"


def connection(
    profile_id: str = PROFILE, database: Database | None = None, **more: str
) -> Connection:
    secrets = {"webhook_secret": SECRET, **{k: v for k, v in more.items() if k == "api_key"}}
    config = {k: v for k, v in more.items() if k != "api_key"}
    return Connection("conn_1", profile_id, Provider.STRIPE, config=config, secrets=secrets,
                      database=database)  # fmt: skip


def payload(raw: RawEvent) -> dict[str, Any]:
    assert raw.payload is not None
    return raw.payload


def checkout(profile_id: str = PROFILE, **metadata: str) -> dict[str, Any]:
    body = event("checkout.session.completed")
    body["data"]["object"]["metadata"]["atribu_profile_id"] = profile_id
    body["data"]["object"]["metadata"].update(metadata)
    return body


def test_a_signed_payment_becomes_one_cash_event_with_its_raw_body() -> None:
    body = orjson.dumps(event("charge.succeeded"))
    [raw] = receive(connection(), request(body), HTTP)
    assert (raw.type, raw.name) == ("track", "payment_received")
    assert raw.revenue is not None and (raw.revenue.amount, raw.revenue.currency) == (49.99, "USD")
    assert raw.identity is not None and raw.identity.stripe_customer_id == "cus_QaAna001"
    assert payload(raw)["provider_ref"] == "pi_3QaLink001"
    assert payload(raw)["raw"] == body.decode()
    assert payload(raw)["source_event_id"] == "evt_3QaLink001ChargeSucc"


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda r: {**r, "headers": {"stripe-signature": "t=1,v1=abc"}}, id="forged"),
        pytest.param(lambda r: {**r, "headers": {}}, id="missing"),
        pytest.param(lambda r: {**r, "body": r["body"].replace(b"4999", b"9999")}, id="altered"),
    ],
)
def test_a_forged_missing_or_altered_signature_is_rejected(tamper: Any) -> None:
    signed = request(event("charge.succeeded"))
    fields = tamper({"headers": dict(signed.headers), "body": signed.body})
    tampered = type(signed)(fields["headers"], {}, fields["body"], signed.received_at)
    with pytest.raises(WebhookRejected):
        receive(connection(), tampered, HTTP)


def test_a_signature_older_than_five_minutes_is_stale_and_one_within_them_is_not() -> None:
    body = event("charge.succeeded")
    with pytest.raises(WebhookRejected, match="tolerance"):
        receive(connection(), request(body, at=time.time() - 301), HTTP)
    assert len(receive(connection(), request(body, at=time.time() - 240), HTTP)) == 1


def test_another_secret_is_rejected() -> None:
    with pytest.raises(WebhookRejected):
        receive(connection(), request(event("charge.succeeded"), secret="whsec_other"), HTTP)


def test_test_mode_events_and_unused_types_are_acknowledged_without_events() -> None:
    test_mode = event("charge.succeeded")
    test_mode["livemode"] = False
    assert receive(connection(), request(test_mode), HTTP) == []
    assert receive(connection(), request(event("customer.updated")), HTTP) == []


def test_a_redelivery_maps_to_the_same_event_ids() -> None:
    body = event("charge.refunded")
    first = receive(connection(), request(body), HTTP)
    again = receive(connection(), request(body, at=time.time() + 60), HTTP)
    assert [e.event_id for e in first] == [e.event_id for e in again]
    assert len({e.event_id for e in first}) == 2


def test_the_payment_link_binding_names_campaign_visitor_and_session() -> None:
    [raw] = receive(connection(), request(checkout()), HTTP)
    bound = payload(raw)
    assert {k: bound[k] for k in ("campaign_id", "ad_set_id", "ad_id", "utm_source")} == {
        "campaign_id": "120210000000001", "ad_set_id": "120210000000002",
        "ad_id": "120210000000003", "utm_source": "facebook",
    }  # fmt: skip
    assert (bound["anonymous_id"], bound["session_id"]) == ("v_7f3c2a9e", "s_18a2b")
    assert bound["payment_link"] == "plink_1QaLink001"


def test_a_binding_made_for_another_profile_is_ignored_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="touchline.connectors.bindings"):
        [raw] = receive(connection(), request(checkout("prof_someone_else")), HTTP)
    assert "campaign_id" not in payload(raw) and "anonymous_id" not in payload(raw)
    assert payload(raw)["provider_ref"] == "pi_3QaLink001"  # the payment itself still counts
    assert "prof_someone_else" in caplog.text


def test_a_bound_customer_profile_lends_the_payment_its_identifiers(
    w: World, database: Database
) -> None:
    profile = w.profile.profile_id
    resolve(database, profile, ids(email="maria@example.com", ghl_contact_id="ghl_77"))
    with database.read() as session:
        known = customers.find(session, profile, "email", "maria@example.com")
    assert known is not None
    body = checkout(profile, atribu_customer_profile_id=known.id)
    [raw] = receive(connection(profile, database), request(body), HTTP)
    assert raw.identity is not None
    # The binding names the person; the payment's own ids fill what the customer lacks.
    assert (raw.identity.email, raw.identity.ghl_contact_id) == ("maria@example.com", "ghl_77")
    assert raw.identity.stripe_customer_id == "cus_QaAna001"
    assert payload(raw)["customer_profile_id"] == known.id


def test_a_customer_profile_of_another_profile_binds_nothing(w: World, database: Database) -> None:
    resolve(database, w.profile.profile_id, ids(email="maria@example.com"))
    with database.read() as session:
        known = customers.find(session, w.profile.profile_id, "email", "maria@example.com")
    assert known is not None
    body = checkout(atribu_customer_profile_id=known.id)  # the connection is PROFILE's
    [raw] = receive(connection(PROFILE, database), request(body), HTTP)
    assert raw.identity is not None and raw.identity.email == "ana.lopez@example.com"


def test_unlisted_refunds_are_read_from_the_api_when_the_connection_has_a_key(
    provider_api: FixtureServer,
) -> None:
    provider_api.route("GET", "/v1/refunds", recorded("stripe/api/refunds.ch_3QaLink001.json"))
    keyed = connection(api_key="rk_live_test", api_base=provider_api.url)
    facts = receive(keyed, request(event("charge.refunded.unlisted")), HTTP)
    assert [payload(f)["provider_ref"] for f in facts] == ["re_3QaLink001B", "re_3QaLink001A"]
    [seen] = provider_api.requests
    assert seen.query["charge"] == ["ch_3QaLink001"]
    assert seen.headers["authorization"] == "Bearer rk_live_test"
    # Without a key, the amount refunded since the previous state stands in.
    [increment] = receive(connection(), request(event("charge.refunded.unlisted")), HTTP)
    assert increment.revenue is not None and increment.revenue.amount == 5.0


def test_a_verified_event_stripe_would_never_send_is_acknowledged_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = event("charge.succeeded")
    body["data"]["object"]["amount_captured"] = 49.99  # Stripe amounts are integers
    with caplog.at_level(logging.WARNING, logger="touchline.connectors.stripe.webhooks"):
        assert receive(connection(), request(body), HTTP) == []
    assert "not mapped" in caplog.text
    odd = event("charge.refunded.unlisted")
    odd["data"] = "not an object"
    assert receive(connection(api_key="rk_live_test"), request(odd), HTTP) == []
