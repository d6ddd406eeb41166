"""Customers and visitors fed to a live app through the real ingest path (import → spool → the
server's loader and after-load steps): Jane (an Instagram ad visit, a direct visit, identified,
two Stripe payments), Bob (a Google visit, a payment), a payer seen only by email, an anonymous
visitor; and a second profile with its own customer, for BOLA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tests.api.conftest import Api
from tests.attribution.journeys import payment, visit

from touchline.control.repos import api_keys, customers, profiles, workspaces
from touchline.domain.keys import Scope
from touchline.ingest.context import ProfileContext
from touchline.ingest.importer import import_events
from touchline.ingest.protocol import Identity, RawEvent

AD = "https://shop.example/?utm_source=ig&utm_medium=paid&utm_campaign=spring&fbclid=abc"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class People:
    jane: str
    bob: str
    ghost: str
    other_profile_customer: str
    other_key: dict[str, str]  # a key of the second profile with every scope


def send(api: Api, profile: ProfileContext, events: list[RawEvent], origin: str) -> None:
    report = import_events(
        settings=api.served.runtime.settings, profile=profile, events=events, origin=origin
    )
    assert report.imported == len(events), report


def identify(anon: str, when: datetime, email: str, first: str, last: str) -> RawEvent:
    who = Identity(email=email, first_name=first, last_name=last)
    return visit(anon, when, type="identify", identity=who)


def seed(api: Api) -> People:
    runtime = api.served.runtime
    with runtime.database.transaction() as session:
        mine = profiles.get(session, api.served.profile_id).context()
        workspace = workspaces.create(session, name="Other", actor="test")
        other = profiles.create(session, workspace_id=workspace.id, name="B", actor="test")
        issued = api_keys.create(
            session, profile_id=other.id, name="b", actor="test",
            scopes=[s.value for s in Scope], rate_limit_per_minute=600,
        )  # fmt: skip
    send(api, mine, [
        visit("v-jane", at(18, 10), url=AD),
        visit("v-jane", at(19, 9), url="https://shop.example/pricing"),
        identify("v-jane", at(19, 9, 1), "jane@example.com", "Jane", "Smith"),
        visit("v-bob", at(21, 11), referrer="https://www.google.com/"),
        identify("v-bob", at(21, 11, 2), "bob@example.com", "Bob", "Jones"),
        visit("v-anon", at(10, 8)),
    ], origin="import")  # fmt: skip
    send(api, mine, [
        payment(at(20, 16, 45), 299, ref="pi_1", email="jane@example.com"),
        payment(at(22, 14, 30), 299, ref="pi_2", email="jane@example.com"),
        payment(at(21, 12), 50, ref="pi_3", email="bob@example.com"),
        payment(at(23, 8), 10, ref="pi_4", email="ghost@example.com"),
    ], origin="webhook:stripe")  # fmt: skip
    send(api, other.context(), [visit("v-else", at(20, 10))], origin="import")
    send(api, other.context(), [payment(at(20, 11), 77, ref="pi_b", email="else@example.com")],
         origin="webhook:stripe")  # fmt: skip
    runtime.loader.drain()
    with runtime.database.transaction() as session:
        ids = {
            email: customers.find(session, profile, "email", email)
            for profile, email in [
                (mine.profile_id, "jane@example.com"), (mine.profile_id, "bob@example.com"),
                (mine.profile_id, "ghost@example.com"), (other.id, "else@example.com"),
            ]
        }  # fmt: skip
    found = {email: record.id for email, record in ids.items() if record is not None}
    return People(
        jane=found["jane@example.com"], bob=found["bob@example.com"],
        ghost=found["ghost@example.com"], other_profile_customer=found["else@example.com"],
        other_key={"Authorization": f"Bearer {issued.plaintext}"},
    )  # fmt: skip
