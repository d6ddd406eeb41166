"""MercadoPago through the whole running app: signed notifications posted to
`/webhooks/mercadopago/{connection_id}`, each payment read from the (recorded) API, loaded, and
valued in the profile's reporting currency — BRL at ECB's rate of the day, ARS only once
`touchline import fx-rates` brings a rate, never at 1 and never as 0."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from currency_converter import CurrencyConverter
from tests.connectors.fixture_server import Answer, FixtureServer, recorded
from tests.connectors.mercadopago.signing import SECRET, fixture, signature
from tests.serving import Served, serving
from typer.testing import CliRunner

from touchline.analytics.query import Period
from touchline.analytics.revenue import CashCollected, cash_collected
from touchline.cli.main import app
from touchline.connectors import service
from touchline.store.base import Sql

OCTOBER = Period(date(2026, 9, 30), date(2026, 10, 31))
BRL_PAYMENT, ARS_PAYMENT, LATER_ARS = "1319862441", "1319862777", "1319862888"
VALUES = ("SELECT provider_ref, value, currency, reporting_value, fx_status FROM conversions"
          " WHERE refund_of = '' ORDER BY provider_ref")  # fmt: skip


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path / "data", sync_scheduler=False) as served:
        yield served


@pytest.fixture
def connection_id(served: Served, provider_api: FixtureServer) -> str:
    record = service.connect(
        database=served.runtime.database, box=served.runtime.secret_box, provider="mercadopago",
        profile_id=served.profile_id, actor="test",
        values={"webhook_secret": SECRET, "access_token": "APP_USR-77",
                "api_base": provider_api.url},
    )  # fmt: skip
    return record.id


def answer(served: Served, name: str, **changes: Any) -> Answer:
    body = fixture(f"api/{name}.json") | changes
    body["metadata"] = {k: (served.profile_id if v == "PROFILE_ID" else v)
                        for k, v in body["metadata"].items()}  # fmt: skip
    return Answer.json(body)


def notify(served: Served, connection_id: str, payment_id: str, *, secret: str = SECRET) -> Any:
    body = fixture("notifications/payment.updated.json")
    body["data"]["id"] = payment_id
    headers = {"x-signature": signature(payment_id, int(time.time()), secret=secret),
               "x-request-id": "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"}  # fmt: skip
    return served.client.post(
        f"/webhooks/mercadopago/{connection_id}?data.id={payment_id}&type=payment",
        content=orjson.dumps(body), headers=headers,
    )  # fmt: skip


def loaded(served: Served, sql: str) -> list[tuple[Any, ...]]:
    served.runtime.loader.drain_once()
    return served.runtime.store.query(Sql(sql))


def test_local_currencies_are_valued_at_the_days_rate_or_marked_unconverted(
    served: Served, connection_id: str, provider_api: FixtureServer
) -> None:
    provider_api.route("GET", f"/v1/payments/{BRL_PAYMENT}", answer(served, "payment.approved.brl"))
    provider_api.route("GET", f"/v1/payments/{ARS_PAYMENT}", answer(served, "payment.approved.ars"))
    for payment_id in (BRL_PAYMENT, ARS_PAYMENT):
        assert notify(served, connection_id, payment_id).json() == {"received": True, "accepted": 1}
    brl, ars = loaded(served, VALUES)
    rate = Decimal(str(CurrencyConverter().convert(1, "BRL", "USD", date(2026, 10, 1))))
    assert brl[:3] == (BRL_PAYMENT, Decimal("150.5"), "BRL") and brl[4] == "converted"
    assert abs(brl[3] - Decimal("150.5") * rate) < Decimal("0.01")
    assert ars == (ARS_PAYMENT, Decimal(25000), "ARS", None, "unconverted")  # ECB has no ARS

    rates = served.runtime.settings.data_dir.parent / "ars.csv"
    rates.write_text("date,currency,per_eur\n2026-10-02,ARS,1250\n")
    env = {"TOUCHLINE_DATA_DIR": str(served.runtime.settings.data_dir)}
    imported = CliRunner().invoke(app, ["import", "fx-rates", str(rates), "--json"], env=env)
    assert imported.exit_code == 0 and orjson.loads(imported.stdout) == {"imported": 1}
    later = answer(served, "payment.approved.ars", id=int(LATER_ARS),
                   date_approved="2026-10-02T10:00:03.000-03:00")  # fmt: skip
    provider_api.route("GET", f"/v1/payments/{LATER_ARS}", later)
    assert notify(served, connection_id, LATER_ARS).json()["accepted"] == 1
    usd_per_eur = Decimal(str(CurrencyConverter().convert(1, "EUR", "USD", date(2026, 10, 2))))
    [(value, status)] = loaded(
        served,
        f"SELECT reporting_value, fx_status FROM conversions WHERE provider_ref = '{LATER_ARS}'",
    )
    assert status == "converted"
    assert abs(value - Decimal(25000) / 1250 * usd_per_eur) < Decimal("0.01")


def test_refunds_net_out_and_a_redelivery_or_a_forged_notification_stores_nothing(
    served: Served, connection_id: str, provider_api: FixtureServer
) -> None:
    path = f"/v1/payments/{BRL_PAYMENT}"
    provider_api.route("GET", path, answer(served, "payment.approved.brl"))
    assert notify(served, connection_id, BRL_PAYMENT).status_code == 200
    provider_api.route("GET", path, answer(served, "payment.partially_refunded.brl"))
    refunded = notify(served, connection_id, BRL_PAYMENT)
    assert refunded.json() == {"received": True, "accepted": 2}  # the payment again, its refund
    served.runtime.loader.drain_once()
    net = [CashCollected("mercadopago", "BRL", Decimal("100.50"), 1, 1, Decimal("50.00"))]
    assert cash_collected(served.runtime.store, profile_id=served.profile_id, period=OCTOBER) == net
    events = loaded(served, "SELECT count(*) FROM events")
    assert notify(served, connection_id, BRL_PAYMENT).status_code == 200  # redelivered
    forged = notify(served, connection_id, BRL_PAYMENT, secret="not-the-secret")
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "invalid_signature"
    assert loaded(served, "SELECT count(*) FROM events") == events == [(2,)]
    assert cash_collected(served.runtime.store, profile_id=served.profile_id, period=OCTOBER) == net
    assert len(provider_api.requests) == 3  # the forged one never reached the API


def test_a_payment_that_cannot_be_read_is_not_acknowledged_so_mercadopago_retries(
    served: Served, connection_id: str, provider_api: FixtureServer
) -> None:
    path = f"/v1/payments/{BRL_PAYMENT}"
    provider_api.route("GET", path, recorded("mercadopago/api/error.invalid_token.json", 401))
    refused = notify(served, connection_id, BRL_PAYMENT)
    assert refused.status_code == 502
    assert refused.json()["error"]["code"] == "provider_error"
    assert loaded(served, "SELECT count(*) FROM events") == [(0,)]
    provider_api.route("GET", path, answer(served, "payment.approved.brl"))  # token renewed
    assert notify(served, connection_id, BRL_PAYMENT).json() == {"received": True, "accepted": 1}
    assert loaded(served, "SELECT count(*) FROM conversions") == [(1,)]
