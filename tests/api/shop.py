"""A small clinic's March fed through the real ingest path of a running app: ad entities,
daily insights and search keywords as connector records, visits from the tracker's shape,
payments, a lead and a refund as server events. The numbers the money tests expect are
worked out by hand in the docstrings of `feed`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.api.conftest import Api
from tests.attribution.journeys import payment, visit

from touchline.connectors.events import record_event, server_event
from touchline.control.repos import api_keys, profiles
from touchline.domain.records import RecordKind
from touchline.ingest.importer import import_events
from touchline.ingest.protocol import Identity, RawEvent

AT = datetime(2026, 3, 20, tzinfo=UTC)  # when the records were synced
AD = ("https://clinic.example/?utm_source=facebook&utm_medium=paid&utm_campaign=c1"
      "&utm_term=s1&utm_content=a1")  # fmt: skip
NEWSLETTER = ("https://clinic.example/?utm_source=newsletter&utm_medium=email"
              "&utm_campaign=newsletter-march")  # fmt: skip
CLICK_ONLY = "https://clinic.example/?gclid=Cj0KCQ"


def noon(day: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, 12, minute, tzinfo=UTC)


def send(api: Api, events: Sequence[RawEvent], *, origin: str, profile_id: str = "") -> None:
    """Spool through the pipeline as an import or webhook would, then let the loader run
    every after-load step (sessions, identity, conversions, touches, credits, records)."""
    runtime = api.served.runtime
    with runtime.database.read() as session:
        profile = profiles.get(session, profile_id or api.served.profile_id).context()
    report = import_events(settings=runtime.settings, profile=profile, events=events,
                           origin=origin)  # fmt: skip
    assert report.imported == len(events), report
    runtime.loader.drain()


def record(kind: RecordKind, provider: str = "meta", **data: Any) -> RawEvent:
    return record_event(provider=provider, kind=kind, at=AT, data=data)


def entity(level: str, entity_id: str, name: str, **fields: Any) -> RawEvent:
    parents = {"campaign_id": "c1" if level != "campaign" else entity_id,
               "ad_set_id": "s1" if level == "ad" else ""}  # fmt: skip
    data = {"platform": "meta", "level": level, "entity_id": entity_id, "name": name,
            "status": "ACTIVE", "account_id": "act_1", "details": {}}  # fmt: skip
    return record(RecordKind.AD_ENTITY, **(data | parents | fields))


def insight(level: str, entity_id: str, day: int, spend: str, shown: int, clicks: int,
            reach: int) -> RawEvent:  # fmt: skip
    return record(
        RecordKind.AD_INSIGHT, platform="meta", level=level, entity_id=entity_id,
        campaign_id="c2" if entity_id == "c2" else "c1", ad_set_id="s1" if level == "ad" else "",
        account_id="act_1", day=date(2026, 3, day).isoformat(), spend=spend, currency="USD",
        impressions=shown, clicks=clicks, reach=reach, metrics={},
    )  # fmt: skip


def keyword(
    day: int, query: str, clicks: int, shown: int, position: float, **where: str
) -> RawEvent:
    data = {"site": "sc-domain:clinic.example", "day": date(2026, 3, day).isoformat(),
            "query": query, "page": "https://clinic.example/", "country": "mex",
            "device": "MOBILE", "clicks": clicks, "impressions": shown,
            "position": position} | where  # fmt: skip
    return record(RecordKind.SEARCH_KEYWORD, provider="gsc", **data)


def ads() -> list[RawEvent]:
    """Spring Sale (c1 → ad set s1 → ad a1): 100 on Mar 10 (10,000 shown, 200 clicks, reach
    8,000) and 50 on Mar 11 (5,000, 50, reach 4,500) at every level; Retargeting (c2, paused):
    30 on Mar 11 (3,000, 30, reach 2,500)."""
    spring = {"objective": "OUTCOME_SALES", "daily_budget": "50"}
    events = [
        entity("campaign", "c1", "Spring Sale", details=spring),
        entity("ad_set", "s1", "Broad"),
        entity("ad", "a1", "Video"),
        entity("campaign", "c2", "Retargeting", status="PAUSED"),
        insight("campaign", "c2", 11, "30.00", 3000, 30, 2500),
    ]
    for level, entity_id in (("campaign", "c1"), ("ad_set", "s1"), ("ad", "a1")):
        events.append(insight(level, entity_id, 10, "100.00", 10000, 200, 8000))
        events.append(insight(level, entity_id, 11, "50.00", 5000, 50, 4500))
    return events


def visits() -> list[RawEvent]:
    """Ana clicks the Spring ad (Mar 10), Ben the newsletter (Mar 11), Eva a Google ad whose
    link carries only a gclid (Mar 11); each then identifies with an email."""
    events = []
    for anon, day, url, email in (("v-ana", 10, AD, "ana@example.com"),
                                  ("v-ben", 11, NEWSLETTER, "ben@example.com"),
                                  ("v-eva", 11, CLICK_ONLY, "eva@example.com")):  # fmt: skip
        events.append(visit(anon, noon(day), url=url))
        events.append(visit(anon, noon(day, 1), type="identify", identity=Identity(email=email)))
    return events


def payments() -> tuple[list[RawEvent], list[RawEvent]]:
    """Stripe (USD): Ana 300, Ben 50, Eva 10 and Dan (never visited) 40 EUR on Mar 12, Ana's
    refund of 100 on Mar 13. MercadoPago: Caro (never visited) 500 MXN on Mar 13."""
    stripe = [
        payment(noon(12), 300, ref="pi_ana", email="ana@example.com"),
        payment(noon(12, 5), 50, ref="pi_ben", email="ben@example.com"),
        payment(noon(12, 10), 10, ref="pi_eva", email="eva@example.com"),
        payment(noon(12, 15), 40, ref="pi_dan", currency="EUR", email="dan@example.com"),
        payment(noon(13), 100, ref="re_ana", name="payment_refunded", refund_of="pi_ana",
                email="ana@example.com"),
    ]  # fmt: skip
    mercadopago = [payment(noon(13, 5), 500, ref="mp_caro", currency="MXN",
                           email="caro@example.com")]  # fmt: skip
    return stripe, mercadopago


def lead() -> RawEvent:
    """Ana's lead from the CRM on Mar 10, an hour after her visit (pipeline, no value)."""
    return server_event(provider="ghl", key=("lead", "ana"), name="lead_created",
                        at=noon(10) + timedelta(hours=1),
                        identity=Identity(email="ana@example.com"))  # fmt: skip


def keywords() -> list[RawEvent]:
    """ "dentist cdmx": 10 clicks of 100 at position 2 (Mar 10) and 5 of 200 at position 6
    (Mar 11, desktop) → 15 of 300, CTR 5.0, position (200 + 1,200) / 300 = 4.7.
    "teeth whitening": 20 of 800 at 3 (Mar 12) → CTR 2.5. "old query" is outside Mar 10 to 13."""
    return [
        keyword(10, "dentist cdmx", 10, 100, 2.0),
        keyword(11, "dentist cdmx", 5, 200, 6.0, device="DESKTOP", page="https://clinic.example/b"),
        keyword(12, "teeth whitening", 20, 800, 3.0),
        keyword(1, "old query", 99, 999, 1.0),
    ]


def feed(api: Api) -> None:
    send(api, ads(), origin="sync:meta")
    send(api, keywords(), origin="sync:gsc")
    send(api, visits(), origin="import")
    send(api, [lead()], origin="webhook:ghl")
    stripe, mercadopago = payments()
    send(api, stripe, origin="webhook:stripe")
    send(api, mercadopago, origin="webhook:mercadopago")


def get(api: Api, path: str, headers: dict[str, str] | None = None, /, **query: Any) -> Any:
    """The JSON of a 200 answer of `/api/v1{path}` (a default-scoped key unless given)."""
    answer = api.served.client.get(f"/api/v1{path}", params=query, headers=headers or api.key())
    assert answer.status_code == 200, answer.text
    return answer.json()


def refused(api: Api, path: str, headers: dict[str, str], /, **query: Any) -> tuple[int, str]:
    """(status, error code) of an answer that is expected to be an error."""
    answer = api.served.client.get(f"/api/v1{path}", params=query, headers=headers)
    return answer.status_code, answer.json()["error"]["code"]


def other_profile(api: Api) -> tuple[str, dict[str, str]]:
    """A second profile of the same server, with its own key: (profile id, headers)."""
    runtime = api.served.runtime
    with runtime.database.transaction() as session:
        mine = profiles.get(session, api.served.profile_id)
        other = profiles.create(session, workspace_id=mine.workspace_id, name="Other",
                                actor="test")  # fmt: skip
        issued = api_keys.create(session, profile_id=other.id, name="b", actor="test")
    return other.id, {"Authorization": f"Bearer {issued.plaintext}"}
