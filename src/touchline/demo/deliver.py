"""The demo's outside world, delivered the way providers deliver it: signed Stripe,
MercadoPago and Shopify webhooks posted over HTTP to a running Touchline (MercadoPago's
payments fetched back from a stand-in API), a GoHighLevel sync against a stand-in of its API,
and the Meta, Google Ads and Search Console reports imported as files — every byte through
the connectors and the spool, none written to a table directly."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
import orjson
import stripe

from touchline.connectors import service
from touchline.connectors.base import HttpOptions
from touchline.control.db import Database
from touchline.control.repos import connections
from touchline.control.secrets import SecretBox
from touchline.demo import ads, crm, payments, search, shop
from touchline.demo.live import LiveServer, reachable_server
from touchline.demo.stub_api import stub_api
from touchline.demo.traffic import TrafficPlan
from touchline.errors import Unavailable
from touchline.ingest.protocol import RawEvent
from touchline.ingest.server_events import spool_submitter
from touchline.settings import Settings

ACTOR = "demo"


@dataclass
class Delivered:
    """What the demo sent, by provider: webhooks posted (and refused), events accepted."""

    webhooks: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    imported: dict[str, int] = field(default_factory=dict)

    def count(self, provider: str, answer: httpx.Response) -> None:
        self.webhooks[provider] = self.webhooks.get(provider, 0) + 1
        if answer.status_code != 200:
            self.refused += 1
            return
        accepted = int(answer.json().get("accepted", 0))
        self.accepted[provider] = self.accepted.get(provider, 0) + accepted


def deliver(
    *, settings: Settings, profile_id: str, plan: TrafficPlan, identified: list[RawEvent]
) -> Delivered:
    """Run a Touchline on loopback, send it the demo's provider traffic, wait until loaded."""
    planned = list(payments.plan_payments(plan, identified))
    by_provider = {p: [x for x in planned if x.provider == p] for p in ("stripe", "mercadopago")}
    delivered = Delivered()
    box = SecretBox.from_settings(settings)
    database = Database.open(settings)
    with (
        closing(database),
        stub_api(_stand_ins(plan, identified, by_provider["mercadopago"])) as stand_in,
        reachable_server(settings) as server,
        _Poster(server, delivered) as post,
    ):
        stripe_hook = _connection(database, box, profile_id, "stripe", {})
        mp_hook = _connection(database, box, profile_id, "mercadopago", {"api_base": stand_in.url})
        shop_hook = _connection(database, box, profile_id, "shopify", SHOP_CONFIG)
        for payment in by_provider["stripe"]:
            for event in payments.stripe_events(payment):
                post.stripe(stripe_hook, event)
        for payment in by_provider["mercadopago"]:
            post.mercadopago(mp_hook, payments.mercadopago_notification(payment))
        for order in shop.orders(plan, identified):
            post.shopify(shop_hook, "orders/create", order)
            post.shopify(shop_hook, "orders/paid", order)
        ghl = _connection(database, box, profile_id, "ghl", GHL_CONFIG | {"api_base": stand_in.url})
        _sync(settings, database, box, ghl, delivered)
        _import_reports(settings, database, profile_id, plan, delivered)
        server.wait_until_loaded()
    return delivered


# The shop's money does not go through the Stripe or MercadoPago accounts connected here, so
# its paid orders are the only record of it: cash, switched on explicitly (off by default,
# decision 0821).
SHOP_CONFIG: Final = {"shop": shop.SHOP_DOMAIN, "paid_orders_as_cash": "true"}

# The CRM location's settings (deal values in pesos); its token only opens the stand-in API.
GHL_CONFIG: Final = {"location_id": crm.LOCATION_ID, "currency": "MXN"}


def _stand_ins(
    plan: TrafficPlan, identified: list[RawEvent], mp_payments: list[payments.DemoPayment]
) -> dict[str, Any]:
    """What the stand-in API answers: MercadoPago's payments and the GoHighLevel location."""
    people = list(crm.contacts(plan, identified))
    deals = list(crm.opportunities(plan, people))
    meetings = list(crm.appointments(plan, deals))
    routes = crm.api_routes(people, deals, meetings)
    for payment in mp_payments:
        routes[f"/v1/payments/{payment.reference}"] = payments.mercadopago_payment(payment)
    return routes


def _sync(
    settings: Settings, database: Database, box: SecretBox, hook: _Hook, delivered: Delivered
) -> None:
    with spool_submitter(settings) as submit:
        report = service.run_sync(
            database=database, box=box, connection_id=hook.connection_id, submit=submit,
            http=HttpOptions(max_retries=1),
        )  # fmt: skip
    if report.error:
        raise Unavailable(f"the demo's GoHighLevel sync failed: {report.error}")
    delivered.imported[hook.provider] = report.events


@dataclass(frozen=True, slots=True)
class _Hook:
    connection_id: str
    secret: str
    provider: str


def _connection(
    database: Database, box: SecretBox, profile_id: str, provider: str, config: Mapping[str, str]
) -> _Hook:
    """The demo's connection to `provider`: reused on a second run (its secret kept, the
    stand-in API's new address given), else made with fresh secrets."""
    with database.read() as session:
        found = [
            r
            for r in connections.list_for_profile(session, profile_id=profile_id, provider=provider)
            if r.active
        ]
        opened = connections.open_(session, box=box, connection_id=found[0].id) if found else None
    if opened is not None:
        if config:
            service.connect(
                database=database, box=box, provider=provider, profile_id=profile_id,
                values=dict(config), actor=ACTOR, connection_id=opened.id,
            )  # fmt: skip
        return _Hook(opened.id, opened.secrets.get("webhook_secret", ""), provider)
    secret = ("whsec_" if provider == "stripe" else "") + secrets.token_hex(24)
    values = {**config, "webhook_secret": secret}
    if provider in ("mercadopago", "ghl"):
        values["access_token"] = "demo-" + secrets.token_hex(8)
    record = service.connect(
        database=database, box=box, provider=provider, profile_id=profile_id,
        values=values, actor=ACTOR,
    )  # fmt: skip
    return _Hook(record.id, secret, provider)


class _Poster:
    """Signs each provider's webhooks with its own scheme and posts them over HTTP."""

    def __init__(self, server: LiveServer, delivered: Delivered) -> None:
        self.client = httpx.Client(base_url=server.url, timeout=60)
        self.delivered = delivered

    def __enter__(self) -> _Poster:
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()

    def _post(self, hook: _Hook, body: bytes, headers: dict[str, str], query: str = "") -> None:
        path = service.webhook_path(hook.provider, hook.connection_id) + query
        answer = self.client.post(path, content=body, headers=headers)
        self.delivered.count(hook.provider, answer)

    def stripe(self, hook: _Hook, event: dict[str, Any]) -> None:
        """Stripe's scheme, computed by Stripe's own SDK: `t=…,v1=HMAC(t.payload)`."""
        body = orjson.dumps(event)
        now = int(time.time())
        signed = f"{now}.{body.decode()}"
        compute = stripe.WebhookSignature._compute_signature
        signature: str = compute(signed, hook.secret)  # type: ignore[no-untyped-call]
        headers = {"Stripe-Signature": f"t={now},v1={signature}",
                   "Content-Type": "application/json"}  # fmt: skip
        self._post(hook, body, headers)

    def mercadopago(self, hook: _Hook, notification: dict[str, Any]) -> None:
        """`x-signature: ts=…,v1=HMAC("id:{data.id};request-id:{x-request-id};ts:{ts};")`."""
        data_id = str(notification["data"]["id"])
        request_id = str(uuid.uuid4())
        ts = str(int(time.time() * 1000))
        manifest = f"id:{data_id};request-id:{request_id};ts:{ts};"
        digest = hmac.new(hook.secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
        headers = {"x-signature": f"ts={ts},v1={digest}", "x-request-id": request_id,
                   "Content-Type": "application/json"}  # fmt: skip
        self._post(hook, orjson.dumps(notification), headers, f"?data.id={data_id}&type=payment")

    def shopify(self, hook: _Hook, topic: str, order: dict[str, Any]) -> None:
        """`X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body."""
        body = orjson.dumps(order)
        digest = hmac.new(hook.secret.encode(), body, hashlib.sha256).digest()
        headers = {
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop.SHOP_DOMAIN,
            "X-Shopify-Webhook-Id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{topic}/{order['id']}")),
            "X-Shopify-API-Version": "2024-10", "Content-Type": "application/json",
        }  # fmt: skip
        self._post(hook, body, headers)


def _import_reports(
    settings: Settings, database: Database, profile_id: str, plan: TrafficPlan, delivered: Delivered
) -> None:
    """The ad platforms' and Search Console's reports, imported as their exports (the server's
    loader loads them)."""
    folder = settings.data_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "meta-insights": _write(
            folder / "meta-insights.json", orjson.dumps(ads.meta_insights(plan))
        ),
        "google-ads": _write(folder / "google-ads.csv", ads.google_ads_csv(plan).encode()),
        "gsc": _write(folder / "search-console.json", orjson.dumps(search.api_answer(plan))),
    }
    with spool_submitter(settings) as submit:
        for kind, path in files.items():
            with path.open("rb") as handle:
                report = service.import_file(
                    database=database, kind=kind, handle=handle, profile_id=profile_id,
                    submit=submit,
                )  # fmt: skip
            delivered.imported[kind] = report.imported


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
