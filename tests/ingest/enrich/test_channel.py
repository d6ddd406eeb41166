"""The channel step: reads the url and referrer fields of the row, writes the channel."""

from __future__ import annotations

from touchline.ingest.enrich.channel import ChannelClassifier
from touchline.ingest.enrich.sources import default_source_table

from .events import new_row, raw_event, request

CLASSIFIER = ChannelClassifier(default_source_table())


def channel_of(**fields: object) -> object:
    row = new_row(**fields)
    assert CLASSIFIER(raw_event(), request(), row) is None
    return row["channel"]


def test_the_step_classifies_from_the_row_fields() -> None:
    assert channel_of(utm_source="facebook", utm_medium="paid") == "Paid Social"
    assert channel_of(click_id_type="gclid", utm_source="facebook") == "Paid Search"
    assert channel_of(referrer_domain="google.com") == "Organic Search"
    assert channel_of(referrer_domain="partner.example") == "Referral"
    assert channel_of() == "Direct"


def test_a_payment_return_without_campaign_parameters_is_direct() -> None:
    # The referrer step leaves referrer_domain empty for payment pages.
    assert channel_of(is_payment_return=True, referrer="https://checkout.stripe.com/x") == "Direct"


def test_classifications_are_memoized_by_their_inputs() -> None:
    classifier = ChannelClassifier(default_source_table(), cache_size=4)
    classifier.channel_of("google", "cpc", "", "")
    classifier.channel_of("google", "cpc", "", "")
    assert classifier.channel_of.cache_info().hits == 1
