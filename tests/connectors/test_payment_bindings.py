"""What a payment's metadata binds it to, and how a payment fact becomes a server event: the
profile check, visitor and session keys, aliases and limits, merged customers, the raw body's
bound."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import msgspec
from hypothesis import given
from hypothesis import strategies as st
from tests.attribution.journeys import World
from tests.identity.graph_helpers import ids, resolve

from touchline.connectors.bindings import NO_BINDING, Binding, binding_of, customer_identity
from touchline.connectors.payments import RAW_LIMIT, PaymentFact, PaymentKind, payment_event
from touchline.control.db import Database
from touchline.control.repos import customers
from touchline.ingest.enrich.payload import SERVER_LIMITS, check_payload

AT = datetime(2026, 10, 1, 12, tzinfo=UTC)


def fact(**identity: str) -> PaymentFact:
    return PaymentFact(PaymentKind.RECEIVED, ("charge", "ch_1"), AT, "pi_1", Decimal("10.5"),
                       "USD", identity=identity)  # fmt: skip


def test_metadata_binds_campaign_visitor_and_session_under_their_spellings() -> None:
    binding = binding_of(
        {"atribu_profile_id": "p1", "adset_id": "as_1", "utm_campaign": " spring ",
         "anonymous_id": "v_2", "atribu_visitor_id": "v_1", "session_id": "s_1",
         "unrelated": "x", "campaign_id": None},
        profile_id="p1", source="test",
    )  # fmt: skip
    assert binding == Binding(
        campaign={"ad_set_id": "as_1", "utm_campaign": "spring"},
        anonymous_id="v_1",  # our own key wins over the generic one
        session_id="s_1",
    )


def test_metadata_without_a_profile_id_still_binds_and_another_profiles_binds_nothing() -> None:
    assert binding_of({"campaign_id": "c1"}, profile_id="p1", source="t").campaign == {
        "campaign_id": "c1"
    }
    other = {"atribu_profile_id": "p2", "campaign_id": "c1", "atribu_visitor_id": "v1"}
    assert binding_of(other, profile_id="p1", source="t") is NO_BINDING


@given(st.dictionaries(st.text(max_size=30), st.text(max_size=400) | st.integers(), max_size=12))
def test_any_metadata_binds_only_known_keys_within_the_limits(metadata: dict[str, object]) -> None:
    payload = binding_of(metadata, profile_id="p1", source="t").payload()
    known = {"campaign_id", "ad_set_id", "ad_id", "utm_source", "utm_medium", "utm_campaign",
             "utm_content", "utm_term", "fbclid", "gclid", "msclkid", "ttclid", "anonymous_id",
             "session_id", "customer_profile_id"}  # fmt: skip
    assert set(payload) <= known
    assert all(0 < len(value) <= 128 for value in payload.values())


def test_the_raw_body_is_kept_up_to_its_limit_and_the_event_stays_within_server_limits() -> None:
    small = payment_event(fact(), provider="stripe", binding=NO_BINDING, raw='{"id": "evt_1"}')
    assert small.payload is not None and small.payload["raw"] == '{"id": "evt_1"}'
    assert "raw_truncated" not in small.payload
    worst = '"€\\' * RAW_LIMIT  # escaped quotes and backslashes, multi-byte characters
    cut = payment_event(fact(), provider="stripe", binding=NO_BINDING, raw=worst)
    assert cut.payload is not None and cut.payload["raw_truncated"] is True
    assert len(cut.payload["raw"].encode()) <= RAW_LIMIT and worst.startswith(cut.payload["raw"])
    doubled = {**cut.payload, "api_response": cut.payload["raw"]}  # MercadoPago keeps two
    check_payload(doubled, msgspec.json.encode(doubled), SERVER_LIMITS)


def test_identity_values_past_the_protocols_limits_are_cut_not_refused() -> None:
    event = payment_event(fact(stripe_customer_id="c" * 300, name="N" * 400, email=""),
                          provider="stripe", binding=NO_BINDING)  # fmt: skip
    assert event.identity is not None
    assert len(event.identity.stripe_customer_id or "") == 128
    assert len(event.identity.name or "") == 320 and event.identity.email is None
    assert payment_event(fact(), provider="stripe", binding=NO_BINDING).identity is None


def test_a_bound_customers_identifiers_come_first_and_the_payments_fill_the_rest() -> None:
    merged = fact(email="own@example.com", stripe_customer_id="cus_1").with_identity(
        {"email": "known@example.com", "phone": "+5215512345678"}
    )
    assert merged.identity == {
        "email": "known@example.com", "phone": "+5215512345678", "stripe_customer_id": "cus_1",
    }  # fmt: skip


def test_a_customer_merged_away_binds_the_customer_it_was_merged_into(
    w: World, database: Database
) -> None:
    profile = w.profile.profile_id
    phone_only = resolve(database, profile, ids(phone="+14155552671")).customer_id
    resolve(database, profile, ids(email="a@example.com", ghl_contact_id="g-1"))
    resolve(database, profile, ids(email="a@example.com", phone="+14155552671"))  # they meet
    assert phone_only is not None
    with database.read() as session:
        assert customers.get(session, phone_only).merged_into_id is not None
    bound = customer_identity(database, profile_id=profile, customer_profile_id=phone_only)
    assert bound == {"email": "a@example.com", "phone": "+14155552671", "ghl_contact_id": "g-1"}
    assert customer_identity(database, profile_id=profile, customer_profile_id="nope") == {}
    assert customer_identity(None, profile_id=profile, customer_profile_id=phone_only) == {}
    other = customer_identity(database, profile_id="another", customer_profile_id=phone_only)
    assert other == {}
