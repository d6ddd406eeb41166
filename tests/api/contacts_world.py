"""Contacts fed to a live app through the real ingest path, for `/contacts`:

- Ann: S1 03-01 10:00 Google ad on /landing → /cart → /done (660 s); S2 03-02 12:00 direct to
  /pricing (0 s); S3 03-04 13:00 Google ad (banner2) on /landing → /checkout → /order-confirmed
  where she submits a lead (tracker, 540 s) and identifies; S4 03-05 14:00 from google.com on
  /home → /checkout → /done (960 s); a Stripe payment 03-06 09:00 (in no session).
- Bob: S1 03-03 09:00 from google.com on / (identified; a Stripe payment at 09:20, while the
  session is open, converts in it); S2 03-10 12:00 a newsletter visit on /pricing.
- Carl: an anonymous google.com visit 03-02 08:00. Dana: identified, google.com 03-03 08:00, no
  conversion. A second profile's Eve (google.com visit and payment), for BOLA.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tests.api.conftest import Api
from tests.api.people import send
from tests.attribution.journeys import payment, visit

from touchline.control.repos import api_keys, customers, profiles, workspaces
from touchline.domain.keys import Scope
from touchline.ingest.protocol import Identity, RawEvent

SITE = "https://shop.example"
GOOGLE = "https://www.google.com/"
AD = "utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=shoes"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def page(anon: str, when: datetime, path: str, **fields: str) -> RawEvent:
    return visit(anon, when, url=f"{SITE}{path}", **fields)


def identify(anon: str, when: datetime, email: str) -> RawEvent:
    return visit(anon, when, type="identify", identity=Identity(email=email))


def ann() -> list[RawEvent]:
    return [
        page("v-ann", at(1, 10), f"/landing?{AD}&utm_content=banner1"),
        page("v-ann", at(1, 10, 5), "/cart"),
        page("v-ann", at(1, 10, 11), "/done"),
        page("v-ann", at(2, 12), "/pricing"),
        page("v-ann", at(4, 13), f"/landing?{AD}&utm_content=banner2"),
        page("v-ann", at(4, 13, 5), "/checkout"),
        page("v-ann", at(4, 13, 9), "/order-confirmed"),
        visit("v-ann", at(4, 13, 9), type="track", name="lead_created",
              url=f"{SITE}/order-confirmed"),
        identify("v-ann", at(4, 13, 9), "ann@example.com"),
        page("v-ann", at(5, 14), "/home", referrer=GOOGLE),
        page("v-ann", at(5, 14, 10), "/checkout"),
        page("v-ann", at(5, 14, 16), "/done"),
    ]  # fmt: skip


def others() -> list[RawEvent]:
    return [
        page("v-bob", at(3, 9), "/", referrer=GOOGLE),
        identify("v-bob", at(3, 9), "bob@example.com"),
        page("v-bob", at(10, 12), "/pricing?utm_source=newsletter&utm_medium=email"),
        page("v-carl", at(2, 8), "/", referrer=GOOGLE),
        page("v-dana", at(3, 8), "/", referrer=GOOGLE),
        identify("v-dana", at(3, 8), "dana@example.com"),
    ]


@dataclass(frozen=True)
class Contacts:
    ann: str
    bob: str
    dana: str
    other_key: dict[str, str]  # the second profile's key, every scope


def seed(api: Api) -> Contacts:
    runtime = api.served.runtime
    with runtime.database.transaction() as session:
        mine = profiles.get(session, api.served.profile_id).context()
        workspace = workspaces.create(session, name="Other", actor="test")
        other = profiles.create(session, workspace_id=workspace.id, name="B", actor="test")
        issued = api_keys.create(
            session, profile_id=other.id, name="b", actor="test",
            scopes=[s.value for s in Scope], rate_limit_per_minute=600,
        )  # fmt: skip
    send(api, mine, ann() + others(), origin="import")
    send(api, mine, [
        payment(at(6, 9), 120, ref="pi_ann", email="ann@example.com"),
        payment(at(3, 9, 20), 50, ref="pi_bob", email="bob@example.com"),
    ], origin="webhook:stripe")  # fmt: skip
    theirs = other.context()
    eve = [page("v-eve", at(3, 9), "/", referrer=GOOGLE), identify("v-eve", at(3, 9), "eve@x.io")]
    send(api, theirs, eve, origin="import")
    send(api, theirs, [payment(at(3, 9, 5), 9, ref="pi_eve", email="eve@x.io")],
         origin="webhook:stripe")  # fmt: skip
    runtime.loader.drain()
    with runtime.database.transaction() as session:
        found = {
            email: customers.find(session, mine.profile_id, "email", email)
            for email in ("ann@example.com", "bob@example.com", "dana@example.com")
        }
    ids = {email: record.id for email, record in found.items() if record is not None}
    return Contacts(
        ann=ids["ann@example.com"], bob=ids["bob@example.com"], dana=ids["dana@example.com"],
        other_key={"Authorization": f"Bearer {issued.plaintext}"},
    )  # fmt: skip
