"""Stripe through the whole running app: signed webhooks posted to
`/webhooks/stripe/{connection_id}`, durable in the spool, loaded, and the numbers people read —
conversions, cash collected, campaign revenue and ROAS — move exactly as the payments say."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.connectors.stripe.signing import SECRET, event, signature
from tests.serving import Served, serving

from touchline.analytics.attribution import Level
from touchline.analytics.campaigns import AttributionRow, attribution_by
from touchline.analytics.query import Period
from touchline.analytics.revenue import CashCollected, cash_collected
from touchline.connectors import service
from touchline.connectors.events import record_event
from touchline.control.repos import profiles
from touchline.domain.attribution.settings import Model
from touchline.domain.records import RecordKind
from touchline.ingest.importer import import_events
from touchline.store.base import Sql

CAMPAIGN = "120210000000001"
VISITOR = "v_7f3c2a9e"
AD_URL = ("https://clinica.example/consultas?utm_source=facebook&utm_medium=paid_social"
          f"&utm_campaign={CAMPAIGN}&fbclid=IwAR0abc")  # fmt: skip

CREDITED_TOUCHES = (
    "SELECT touch_key, channel, count(DISTINCT conversion_id), sum(reporting_value)"
    " FROM credits WHERE last_touch > 0 GROUP BY touch_key, channel"
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path / "data", sync_scheduler=False) as served:
        yield served


@pytest.fixture
def connection_id(served: Served) -> str:
    record = service.connect(
        database=served.runtime.database, box=served.runtime.secret_box, provider="stripe",
        profile_id=served.profile_id, values={"webhook_secret": SECRET}, actor="test",
    )  # fmt: skip
    return record.id


def period() -> Period:
    today = datetime.now(UTC).date()
    return Period(today - timedelta(days=1), today + timedelta(days=1))


def post(served: Served, connection_id: str, body: dict[str, Any] | bytes, **headers: str) -> Any:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    signed = {"Stripe-Signature": signature(raw), "Content-Type": "application/json", **headers}
    return served.client.post(f"/webhooks/stripe/{connection_id}", content=raw, headers=signed)


def now_event(name: str, profile_id: str, seconds_ago: int = 60) -> dict[str, Any]:
    """A recorded event happening now (the visit it follows happened minutes ago)."""
    body = event(name)
    body["created"] = int(time.time()) - seconds_ago
    obj = body["data"]["object"]
    if name == "checkout.session.completed":
        obj["metadata"]["atribu_profile_id"] = profile_id
    for refund in obj.get("refunds", {}).get("data", []):
        refund["created"] = int(time.time()) - seconds_ago
    return body


def visit(served: Served, minutes_ago: int = 10) -> None:
    page_view = {
        "event_id": str(uuid.uuid4()), "type": "page_view", "anonymous_id": VISITOR,
        "timestamp": int((time.time() - minutes_ago * 60) * 1000), "url": AD_URL,
    }  # fmt: skip
    answer = served.client.post(
        "/api/tracking/collect", json={"tracking_key": served.tracking_key, "events": [page_view]}
    )
    assert answer.status_code == 202, answer.text


def spend(served: Served, amount: str) -> None:
    """Meta's daily spend of the campaign (a record through the same spool)."""
    data = {"platform": "meta", "level": "campaign", "entity_id": CAMPAIGN, "campaign_id": CAMPAIGN,
            "day": datetime.now(UTC).date().isoformat(), "spend": amount, "currency": "USD",
            "impressions": "4000", "clicks": "120", "reach": "3100", "metrics": {}}  # fmt: skip
    insight = record_event(provider="meta", kind=RecordKind.AD_INSIGHT,
                           at=datetime.now(UTC), data=data)  # fmt: skip
    with served.runtime.database.read() as session:
        profile = profiles.get(session, served.profile_id).context()
    report = import_events(settings=served.runtime.settings, profile=profile, events=[insight],
                           origin="sync:meta")  # fmt: skip
    assert report.imported == 1


def loaded(served: Served, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    served.runtime.loader.drain_once()
    return served.runtime.store.query(Sql(sql, params))


def cash(served: Served) -> list[CashCollected]:
    served.runtime.loader.drain_once()
    return cash_collected(served.runtime.store, profile_id=served.profile_id, period=period())


def campaign(served: Served) -> AttributionRow:
    served.runtime.loader.drain_once()
    rows = attribution_by(served.runtime.store, profile_id=served.profile_id, period=period(),
                          model=Model.LAST_TOUCH, level=Level.CAMPAIGN)  # fmt: skip
    [row] = [r for r in rows if r.key == CAMPAIGN]
    return row


def test_one_payment_in_three_events_counts_once_and_its_refunds_reduce_the_campaigns_cash(
    served: Served, connection_id: str
) -> None:
    visit(served)
    spend(served, "20.00")
    profile = served.profile_id
    for name in ("payment_intent.succeeded", "charge.succeeded"):
        answer = post(served, connection_id, now_event(name, profile))
        assert answer.status_code == 200 and answer.json() == {"received": True, "accepted": 1}
    assert campaign(served).revenue == 0  # Ana's email names no visitor yet: unattributed
    answer = post(served, connection_id, now_event("checkout.session.completed", profile))
    assert answer.json() == {"received": True, "accepted": 1}
    assert loaded(served, "SELECT count(*), sum(value) FROM conversions") == [(1, Decimal("49.99"))]
    assert cash(served) == [CashCollected("stripe", "USD", Decimal("49.99"), 1, 0, Decimal(0))]
    paid = campaign(served)
    # The checkout's visitor binding reached the payment: the visit's campaign gets the cash.
    assert (paid.revenue, paid.spend, paid.roas) == (
        Decimal("49.99"),
        Decimal("20.00"),
        2.5,
    )  # ROAS to 2 places

    answer = post(served, connection_id, now_event("charge.refunded", profile, seconds_ago=30))
    assert answer.json() == {"received": True, "accepted": 2}  # two refunds; the failed one not
    assert cash(served) == [CashCollected("stripe", "USD", Decimal("29.99"), 1, 2, Decimal(20))]
    refunded = campaign(served)
    assert (refunded.revenue, refunded.roas) == (Decimal("29.99"), 1.5)
    touches = loaded(served, CREDITED_TOUCHES)  # refunds credit exactly the payment's touch
    assert [row[1:] for row in touches] == [("Paid Social", 3, Decimal("29.99"))]


def test_a_redelivery_is_acknowledged_and_changes_nothing(
    served: Served, connection_id: str
) -> None:
    body = now_event("charge.succeeded", served.profile_id)
    assert post(served, connection_id, body).status_code == 200
    before = loaded(served, "SELECT count(*) FROM events"), cash(served)
    again = post(served, connection_id, body)
    assert again.status_code == 200 and again.json()["received"] is True
    assert (loaded(served, "SELECT count(*) FROM events"), cash(served)) == before
    assert before[0] == [(1,)]


def test_a_bad_signature_is_a_401_envelope_and_nothing_is_stored(
    served: Served, connection_id: str
) -> None:
    raw = orjson.dumps(now_event("charge.succeeded", served.profile_id))
    forged = served.client.post(
        f"/webhooks/stripe/{connection_id}", content=raw,
        headers={"Stripe-Signature": signature(raw, secret="whsec_attacker")},
    )  # fmt: skip
    stale = served.client.post(
        f"/webhooks/stripe/{connection_id}", content=raw,
        headers={"Stripe-Signature": signature(raw, at=time.time() - 600)},
    )  # fmt: skip
    for answer in (forged, stale):
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "invalid_signature"
    unknown = post(served, "conn_does_not_exist", raw)
    assert unknown.status_code == 404
    assert loaded(served, "SELECT count(*) FROM events") == [(0,)]
    assert cash(served) == []


def test_a_payment_link_paid_without_a_visit_credits_its_campaign_even_when_the_charge_came_first(
    served: Served, connection_id: str
) -> None:
    """No web touch: the checkout's campaign data makes the synthetic touch, although the
    charge (without metadata) was counted first."""
    profile = served.profile_id
    spend(served, "10.00")
    assert post(served, connection_id, now_event("charge.succeeded", profile)).status_code == 200
    loaded(served, "SELECT 1")
    checkout = now_event("checkout.session.completed", profile)
    del checkout["data"]["object"]["metadata"]["atribu_visitor_id"]
    assert post(served, connection_id, checkout).status_code == 200
    assert loaded(served, "SELECT count(*), min(campaign_id) FROM conversions") == [(1, CAMPAIGN)]
    paid = campaign(served)
    assert (paid.revenue, paid.roas) == (Decimal("49.99"), 5.0)
    assert loaded(served, "SELECT touch_type FROM touch_rows") == [("synthetic",)]
