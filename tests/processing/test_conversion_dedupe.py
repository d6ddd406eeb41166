"""Dedupe (CHECKLIST §3.11) and refund linking, on DuckDB and on chdb: provider refs count once
per goal, a booking once per visitor session, a refund reduces the payment it names."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.processing.conversion_plane import T0, Plane, browser, plane, server

__all__ = ["plane"]
MINUTE = timedelta(minutes=1)


def test_a_provider_ref_counts_once_per_goal_the_first_time(plane: Plane) -> None:
    first = server(plane, "payment_received", T0, amount="50", provider_ref="pi_1")
    again = server(plane, "payment_received", T0 + MINUTE, amount="50", provider_ref="pi_1")
    assert plane.load(again, first) == 1  # two webhooks for one payment, in one batch
    assert plane.load(server(plane, "payment_received", T0, amount="50", provider_ref="pi_1")) == 0
    order = server(plane, "order_placed", T0, amount="50", provider_ref="pi_1")
    assert plane.load(order) == 1  # the same id names an order too: another goal
    # A set: both are at T0, and ids ordered as text ("srv-12" < "srv-9") depend on the run.
    assert set(plane.rows("conversion_id, goal_key")) == {
        (first["event_id"], "payment_received"),
        (order["event_id"], "order_placed"),
    }


def test_events_without_a_provider_ref_are_never_merged(plane: Plane) -> None:
    leads = [server(plane, "lead_created", T0) for _ in range(3)]
    assert plane.load(*leads) == 3


def test_a_booking_counts_once_per_visitor_session(plane: Plane) -> None:
    visit = browser(plane, "page_view", T0)
    booked = browser(plane, "appointment_booked", T0 + MINUTE)
    reloaded = browser(plane, "appointment_booked", T0 + 2 * MINUTE)
    assert plane.load(visit, booked, reloaded) == 1
    # The same visit, a later batch: still the same session.
    assert plane.load(browser(plane, "appointment_booked", T0 + 3 * MINUTE)) == 0
    # Another visitor, and the first visitor's next visit, book again.
    other = browser(plane, "appointment_booked", T0 + MINUTE, visitor="v2")
    tomorrow = browser(plane, "appointment_booked", T0 + timedelta(days=1))
    assert plane.load(other, tomorrow) == 2
    assert len(plane.rows("conversion_id", "goal_key = 'appointment_booked'")) == 3


def test_server_side_bookings_are_not_merged_by_session(plane: Plane) -> None:
    calls = [server(plane, "appointment_booked", T0 + i * MINUTE) for i in range(2)]
    assert plane.load(*calls) == 2
    assert plane.rows("visitor_key") == [(0,), (0,)]


def test_a_refund_in_the_payments_batch_names_its_conversion(plane: Plane) -> None:
    pay = server(plane, "payment_received", T0, amount="80", provider_ref="pi_1")
    refund = server(
        plane, "payment_refunded", T0 + MINUTE, amount="-30", provider_ref="re_1", refund_of="pi_1"
    )
    assert plane.load(refund, pay) == 2
    assert plane.rows("goal_key, revenue_type, value, refund_of") == [
        ("payment_received", "cash", Decimal("80.0000"), ""),
        ("payment_received", "cash", Decimal("-30.0000"), pay["event_id"]),
    ]


def test_a_refund_before_its_payment_waits_and_is_linked_when_the_payment_comes(
    plane: Plane,
) -> None:
    refund = server(plane, "chargeback", T0 + MINUTE, amount="25", refund_of="pi_9")
    assert plane.load(refund) == 1
    [(waiting, first_version)] = plane.rows("refund_of, version")
    assert waiting == "unmatched:pi_9"
    pay = server(plane, "payment_received", T0, amount="25", provider_ref="pi_9")
    assert plane.load(pay) == 1
    [(linked, version)] = plane.rows(
        "refund_of, version", "conversion_id = $c", c=refund["event_id"]
    )
    assert linked == pay["event_id"] and version > first_version
    assert len(plane.rows("conversion_id")) == 2


def test_a_refund_prefers_the_cash_conversion_of_its_ref(plane: Plane) -> None:
    order = server(plane, "order_placed", T0, amount="60", provider_ref="ord_1")
    pay = server(plane, "payment_received", T0 + MINUTE, amount="60", provider_ref="ord_1")
    plane.load(order, pay)
    refund = server(plane, "payment_refunded", T0 + 2 * MINUTE, amount="60", refund_of="ord_1")
    plane.load(refund)
    [(linked,)] = plane.rows("refund_of", "conversion_id = $c", c=refund["event_id"])
    assert linked == pay["event_id"]


def test_refunds_dedupe_by_their_own_ref_apart_from_payments(plane: Plane) -> None:
    pay = server(plane, "payment_received", T0, amount="80", provider_ref="ch_1")
    # Some providers name the refund by the charge's own id: it is still a refund.
    refund = server(
        plane, "payment_refunded", T0 + MINUTE, amount="10", provider_ref="ch_1", refund_of="ch_1"
    )
    again = server(
        plane, "payment_refunded", T0 + MINUTE, amount="10", provider_ref="ch_1", refund_of="ch_1"
    )
    assert plane.load(pay, refund) == 2
    assert plane.load(again) == 0


def test_a_refund_naming_no_payment_stays_a_refund(plane: Plane) -> None:
    assert plane.load(server(plane, "payment_refunded", T0, amount="5")) == 1
    assert plane.rows("value, refund_of") == [(Decimal("-5.0000"), "unmatched:")]


def test_a_later_delivery_completes_the_counted_payment_with_its_campaign_and_visitor(
    plane: Plane,
) -> None:
    """The charge counts first; the checkout session (same payment intent) arrives later with
    the Payment Link's metadata: the payment gains its campaign, visitor and nothing else."""
    charge = server(plane, "payment_received", T0, amount="50", provider_ref="pi_7",
                    identity={"stripe_customer_id": "cus_1"})  # fmt: skip
    assert plane.load(charge) == 1
    [(first_version,)] = plane.rows("version")
    checkout = server(
        plane, "payment_received", T0 + MINUTE, amount="50", provider_ref="pi_7",
        identity={"email": "ana@example.com"}, campaign_id="cmp_9", utm_source="facebook",
        anonymous_id="visitor-3",
    )  # fmt: skip
    assert plane.load(checkout) == 0  # still one payment
    [row] = plane.rows(
        "conversion_id, value, campaign_id, utm_source, visitor_key <> 0, identity_kind, version"
    )
    assert row[:6] == (charge["event_id"], Decimal("50.0000"), "cmp_9", "facebook", True,
                       "stripe_customer")  # fmt: skip
    assert row[6] > first_version
    assert plane.replay(checkout) == 0
    assert plane.rows("version") == [(row[6],)]  # nothing left to add: no new version


def test_deliveries_in_one_batch_complete_the_first_one_and_never_overwrite(plane: Plane) -> None:
    intent = server(plane, "payment_received", T0, amount="20", provider_ref="pi_8",
                    utm_source="newsletter")  # fmt: skip
    checkout = server(plane, "payment_received", T0 + MINUTE, amount="20", provider_ref="pi_8",
                      campaign_id="cmp_1", identity={"email": "bo@example.com"})  # fmt: skip
    assert plane.load(checkout, intent) == 1
    assert plane.rows("conversion_id, utm_source, campaign_id, identity_value") == [
        (intent["event_id"], "newsletter", "", "bo@example.com")
    ]


def test_an_order_known_by_its_checkout_counts_once_whichever_comes_first(plane: Plane) -> None:
    """Shopify's pixel may know only the checkout token; the webhook knows the order id and the
    token. Either order of arrival, in one batch or two: one order (CHECKLIST §2.4)."""
    pixel = server(plane, "order_placed", T0, amount="90", provider_ref="tok_a",
                   checkout_token="tok_a")  # fmt: skip
    webhook = server(plane, "order_placed", T0 + MINUTE, amount="90", provider_ref="1001",
                     checkout_token="tok_a", utm_source="facebook")  # fmt: skip
    assert plane.load(pixel) == 1
    assert plane.load(webhook) == 0
    # The webhook's campaign data completes the pixel's order; nothing else is overwritten.
    assert plane.rows("conversion_id, provider_ref, checkout_ref, utm_source") == [
        (pixel["event_id"], "tok_a", "tok_a", "facebook")
    ]

    later = server(plane, "order_placed", T0, amount="40", provider_ref="1002",
                   checkout_token="tok_b")  # fmt: skip
    pixel_later = server(plane, "order_placed", T0 + MINUTE, amount="40", provider_ref="tok_b",
                         checkout_token="tok_b")  # fmt: skip
    assert plane.load(pixel_later, later) == 1  # one batch, the webhook first in time
    assert (
        plane.load(
            server(plane, "order_placed", T0 + 2 * MINUTE, amount="40", provider_ref="tok_b")
        )
        == 0
    )  # the token as a provider ref meets the recorded order's checkout
    assert plane.rows("provider_ref", "checkout_ref = 'tok_b'") == [("1002",)]


def test_a_checkout_dedupes_only_within_its_goal_and_never_refunds(plane: Plane) -> None:
    order = server(plane, "order_placed", T0, amount="90", provider_ref="1001",
                   checkout_token="tok_a")  # fmt: skip
    paid = server(plane, "payment_received", T0, amount="90", provider_ref="shopify_order:1001",
                  checkout_token="tok_a")  # fmt: skip
    other = server(plane, "order_placed", T0, amount="15", provider_ref="1003",
                   checkout_token="tok_c")  # fmt: skip
    refund = server(plane, "payment_refunded", T0 + MINUTE, amount="-10", provider_ref="re_1",
                    refund_of="shopify_order:1001", checkout_token="tok_a")  # fmt: skip
    assert plane.load(order, paid, other, refund) == 4
    assert plane.rows("goal_key, checkout_ref", "refund_of <> ''") == [("payment_received", "")]
