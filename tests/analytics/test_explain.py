"""Why a touch got its credit, on both engines: the ordered candidates with their window tests,
each credit by the pure rule, the model's weights, and agreement with the stored credits the
real engine wrote."""

from __future__ import annotations

import pytest
from tests.analytics.people import (
    IMPRESSION,
    NEWSLETTER,
    OLD_AD,
    PHONE_VISIT,
    SETTINGS,
    SYNTHETIC,
    seed_people,
)
from tests.analytics.rows import P

from touchline.analytics.explain import explain_conversion
from touchline.domain.attribution.settings import AttributionSettings, Model
from touchline.errors import NotFound
from touchline.store.base import EventStore


def test_every_model_explains_the_stored_credits(event_store: EventStore) -> None:
    seed_people(event_store)
    for model in Model:
        why = explain_conversion(
            event_store, profile_id=P, conversion_id="pay1", model=model, settings=SETTINGS
        )
        assert why.consistent, model
        assert sum(t.credit for t in why.explanation.touches) == pytest.approx(1.0), model


def test_candidates_include_touches_outside_the_window_with_their_test(
    event_store: EventStore,
) -> None:
    seed_people(event_store)
    why = explain_conversion(
        event_store, profile_id=P, conversion_id="pay1", model=Model.LAST_TOUCH, settings=SETTINGS
    )
    tests = [(t.test.touch.key, t.test.window, t.test.in_window) for t in why.explanation.touches]
    assert tests == [
        (OLD_AD, "click", False),  # 40 days before: outside the 30-day click window
        (NEWSLETTER, "click", True),
        (PHONE_VISIT, "click", True),
        (IMPRESSION, "view", True),  # 5 hours before: inside the 24-hour view-through window
        (SYNTHETIC, "click", True),
    ]
    assert [t.touch_key for t in why.touches] == [OLD_AD, NEWSLETTER, PHONE_VISIT, IMPRESSION,
                                                 SYNTHETIC]  # fmt: skip
    assert why.explanation.touches[0].reason == "outside the 30-day click window by 10.0 days"
    assert why.stored == {NEWSLETTER: 0.0, PHONE_VISIT: 0.0, IMPRESSION: 0.0, SYNTHETIC: 1.0,
                          OLD_AD: 0.0}  # fmt: skip
    first = explain_conversion(
        event_store, profile_id=P, conversion_id="pay1", model=Model.FIRST_TOUCH, settings=SETTINGS
    )
    assert first.explanation.touches[0].credit == 1.0  # within the 90-day first-touch window


def test_weights_are_the_models_parameters(event_store: EventStore) -> None:
    seed_people(event_store)

    def weights(model: Model) -> dict[str, float]:
        why = explain_conversion(
            event_store, profile_id=P, conversion_id="pay1", model=model, settings=SETTINGS
        )
        return dict(why.weights)

    assert weights(Model.POSITION_BASED) == {"first": 0.4, "middle": 0.2, "last": 0.4}
    assert weights(Model.TIME_DECAY) == {"half_life_days": 7.0}
    assert weights(Model.LINEAR) == {}
    markov = weights(Model.MARKOV)
    assert markov and sum(markov.values()) == pytest.approx(1.0)


def test_a_refund_is_explained_by_its_payment(event_store: EventStore) -> None:
    seed_people(event_store)
    why = explain_conversion(
        event_store, profile_id=P, conversion_id="refund1", model=Model.LINEAR, settings=SETTINGS
    )
    assert (why.refund_of, why.conversion.conversion_id) == ("pay1", "pay1")
    assert why.consistent and len(why.stored) == 5
    orphan = explain_conversion(
        event_store,
        profile_id=P,
        conversion_id="orphan-refund",
        model=Model.LINEAR,
        settings=SETTINGS,
    )
    assert not orphan.conversion.attribution_eligible and orphan.consistent  # reduces nothing


def test_an_ineligible_conversion_has_nothing_stored(event_store: EventStore) -> None:
    seed_people(event_store)
    why = explain_conversion(
        event_store, profile_id=P, conversion_id="browse", model=Model.LINEAR, settings=SETTINGS
    )
    assert why.consistent and why.stored == {}
    assert [t.test.touch.key for t in why.explanation.touches] == [OLD_AD, NEWSLETTER, PHONE_VISIT]


def test_changed_settings_show_as_disagreement_with_the_stored_credits(
    event_store: EventStore,
) -> None:
    seed_people(event_store)
    narrower = AttributionSettings(click_window_days=5)
    why = explain_conversion(
        event_store, profile_id=P, conversion_id="pay1", model=Model.LINEAR, settings=narrower
    )
    assert not why.consistent  # the newsletter visit 10 days before no longer counts


def test_unknown_or_foreign_conversions_are_not_found(event_store: EventStore) -> None:
    seed_people(event_store)
    for profile, conversion in ((P, "nope"), ("someone-else", "pay1")):
        with pytest.raises(NotFound):
            explain_conversion(
                event_store,
                profile_id=profile,
                conversion_id=conversion,
                model=Model.LINEAR,
                settings=SETTINGS,
            )
