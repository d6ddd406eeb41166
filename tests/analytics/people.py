"""One profile's people for the journey and explanation tests: a customer with two browsers, an
email identifier, an impression and a synthetic touch; another customer; an anonymous visitor;
credits computed by the real credits engine (processing/credits.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from tests.analytics.rows import P, conversion, entity, link, load, session, touch_row

from touchline.domain.attribution.settings import AttributionSettings
from touchline.ingest.context import ProfileContext
from touchline.processing.credits import recompute_credits
from touchline.store.base import EventStore

T: Final = datetime(2026, 3, 20, 12, tzinfo=UTC)
SETTINGS: Final = AttributionSettings()  # click 30 d, view-through 24 h, first touch 90 d
CUSTOMER: Final = "cust-1"
EMAIL: Final = "j@example.com"
LAPTOP, PHONE, STRANGER, OTHER = 101, 102, 301, 201
# touch keys: sessions 1-6, impression 7, synthetic 8
OLD_AD, NEWSLETTER, PHONE_VISIT, IMPRESSION, SYNTHETIC = 1, 2, 3, 7, 8


def ago(**delta: float) -> datetime:
    return T - timedelta(**delta)


def seed_people(store: EventStore) -> None:
    lead: dict[str, Any] = {
        "goal_key": "lead_created",
        "revenue_type": "pipeline",
        "visitor_key": 0,
    }
    by_email = {"identity_kind": "email", "identity_value": EMAIL}
    load(
        store,
        links=[
            link("anonymous_id", "laptop", CUSTOMER, visitor=LAPTOP),
            link("anonymous_id", "phone", CUSTOMER, visitor=PHONE),
            link("email", EMAIL, CUSTOMER),
            link("anonymous_id", "other", "cust-2", visitor=OTHER),
        ],
        sessions=[
            session(OLD_AD, LAPTOP, ago(days=40), "Paid Social", utm_source="facebook",
                    utm_medium="paid", utm_campaign="c1", engagement_score=80),
            session(NEWSLETTER, LAPTOP, ago(days=10), "Email", utm_source="newsletter",
                    utm_campaign="may", engagement_score=30),
            session(PHONE_VISIT, PHONE, ago(days=2), "Direct", device="mobile",
                    landing_url="https://shop.example/pricing", entry_path="/pricing",
                    country="US", city="New York", engagement_score=55),
            session(4, OTHER, ago(days=1), "Paid Search"),
            session(5, STRANGER, ago(days=1), "Referral"),
            session(6, LAPTOP, ago(days=3), "Direct", pageviews=0, events=1),  # passive only
        ],
        touches=[
            touch_row(IMPRESSION, "impression", ago(hours=5), "Paid Social", visitor_key=LAPTOP,
                      campaign_id="c1"),
            touch_row(SYNTHETIC, "synthetic", ago(hours=1), "Paid Social", campaign_id="c1",
                      conversion_id="lead1", engagement_score=25, **by_email),
        ],
        conversions=[
            conversion("lead1", ts=ago(hours=1), campaign_id="c1", **lead, **by_email),
            conversion("pay1", ts=T, value="100", **by_email),
            conversion("refund1", ts=T + timedelta(days=1), value="-30", refund_of="pay1",
                       event_name="payment_refunded", **by_email),
            conversion("browse", ts=ago(days=2), goal_key="contact_reply",
                       revenue_type="pipeline", attribution_eligible=False, visitor_key=PHONE,
                       origin="tracker"),
            conversion("theirs", ts=T, value="5", visitor_key=OTHER, origin="tracker"),
            conversion("orphan-refund", ts=T, value="-5", refund_of="unmatched:pi_x"),
        ],
        entities=[entity("campaign", "c1", "Spring sale")],
    )  # fmt: skip
    recompute_credits(store=store, profile=ProfileContext(profile_id=P, attribution=SETTINGS))
