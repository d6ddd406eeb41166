"""A customer's journey on both engines: every linked visitor's visits, impression and synthetic
touches, conversions with their credits under a model; nothing across profiles (BOLA)."""

from __future__ import annotations

from tests.analytics.people import (
    CUSTOMER,
    IMPRESSION,
    NEWSLETTER,
    OLD_AD,
    PHONE_VISIT,
    SYNTHETIC,
    seed_people,
)
from tests.analytics.rows import P

from touchline.analytics.journeys import customer_journey
from touchline.domain.attribution.settings import Model
from touchline.store.base import EventStore


def test_journey_holds_every_linked_visitor_and_touch_kind(event_store: EventStore) -> None:
    seed_people(event_store)
    journey = customer_journey(
        event_store, profile_id=P, customer_id=CUSTOMER, model=Model.LAST_TOUCH
    )
    touches = [(t.touch.touch_key, t.touch.touch_type, t.campaign) for t in journey.touches]
    assert touches == [
        (OLD_AD, "session", "Spring sale"),  # utm_campaign "c1" resolved to its entity's name
        (NEWSLETTER, "session", "may"),  # a campaign seen only in UTMs keeps its value
        (PHONE_VISIT, "session", ""),  # the second browser, linked to the same customer
        (IMPRESSION, "impression", "Spring sale"),
        (SYNTHETIC, "synthetic", "Spring sale"),
    ]
    phone, synthetic = journey.touches[2].touch, journey.touches[4].touch
    assert (phone.device, phone.path, phone.city, phone.is_synthetic) == (
        "mobile",
        "/pricing",
        "New York",
        False,
    )
    assert synthetic.is_synthetic and synthetic.conversion_id == "lead1"
    assert (synthetic.landing_url, synthetic.device) == ("", "")  # no visit behind it
    assert journey.touches[0].touch.source == "facebook"


def test_journey_conversions_carry_their_credits_under_the_model(event_store: EventStore) -> None:
    seed_people(event_store)
    journey = customer_journey(
        event_store, profile_id=P, customer_id=CUSTOMER, model=Model.LAST_TOUCH
    )
    found = {c.conversion_id: c for c in journey.conversions}
    assert list(found) == ["browse", "lead1", "pay1", "refund1"]  # oldest first
    assert found["pay1"].credits == {SYNTHETIC: 1.0}
    assert found["refund1"].credits == {SYNTHETIC: 1.0}  # the payment's shares
    assert (found["refund1"].refund_of, str(found["refund1"].value)) == ("pay1", "-30.0000")
    assert found["lead1"].credits == {SYNTHETIC: 1.0}  # made for it, at its instant: gap 0
    assert not found["browse"].attributed and not found["browse"].attribution_eligible
    assert (found["pay1"].source, found["browse"].source) == ("stripe", "tracker")
    linear = customer_journey(event_store, profile_id=P, customer_id=CUSTOMER, model=Model.LINEAR)
    pay = next(c for c in linear.conversions if c.conversion_id == "pay1")
    assert sorted(pay.credits) == [NEWSLETTER, PHONE_VISIT, IMPRESSION, SYNTHETIC]
    assert sum(pay.credits.values()) == 1.0


def test_a_customer_of_another_profile_or_a_visitor_id_gives_an_empty_journey(
    event_store: EventStore,
) -> None:
    seed_people(event_store)
    elsewhere = customer_journey(
        event_store, profile_id="someone-else", customer_id=CUSTOMER, model=Model.LINEAR
    )
    assert (elsewhere.touches, elsewhere.conversions) == ((), ())
    for not_a_customer in ("v301", "email:j@example.com", "", "' OR 1=1 --"):
        journey = customer_journey(
            event_store, profile_id=P, customer_id=not_a_customer, model=Model.LINEAR
        )
        assert (journey.touches, journey.conversions) == ((), ()), not_a_customer
