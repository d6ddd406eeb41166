"""`POST /webhooks/{provider}/{connection_id}`: verified by the connector, acknowledged once
durable, redeliveries no-ops, every refusal an envelope with nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.connectors.fake import HEADER, Script, fake_connector, sign
from tests.serving import Served, serving

from touchline.connectors import service
from touchline.control.repos import audit, connections
from touchline.store.base import Sql

__all__ = ["fake_connector"]
SECRET = "whsec_test"


@pytest.fixture
def served(tmp_path: Path, fake_connector: Script) -> Iterator[Served]:
    with serving(tmp_path / "data", sync_scheduler=False) as served:
        yield served


def connect(served: Served) -> str:
    record = service.connect(
        database=served.runtime.database, box=served.runtime.secret_box, provider="stripe",
        profile_id=served.profile_id, values={"webhook_secret": SECRET}, actor="test",
    )  # fmt: skip
    return record.id


def post(served: Served, connection_id: str, body: dict[str, Any], secret: str = SECRET) -> Any:
    raw = orjson.dumps(body)
    return served.client.post(
        f"/webhooks/stripe/{connection_id}", content=raw, headers={HEADER: sign(secret, raw)}
    )


def loaded(served: Served, sql: str) -> list[tuple[Any, ...]]:
    served.runtime.loader.drain_once()
    return served.runtime.store.query(Sql(sql))


def test_a_signed_webhook_is_stored_once_however_often_it_is_delivered(served: Served) -> None:
    connection_id = connect(served)
    body = {"type": "payment", "id": "pi_1", "amount": "49.00", "email": "Ana@Example.com"}
    first = post(served, connection_id, body)
    again = post(served, connection_id, body)
    assert first.status_code == again.status_code == 200
    assert first.json() == {"received": True, "accepted": 1}
    assert "x-request-id" in first.headers
    rows = loaded(served, "SELECT goal_key, value, origin, identity_value FROM conversions")
    assert [r[:3] for r in rows] == [("payment_received", 49, "webhook:stripe")]
    assert loaded(served, "SELECT count(*) FROM events") == [(1,)]
    with served.runtime.database.read() as session:
        record = connections.get(session, connection_id)
    assert record.events_received == 2 and record.last_webhook_at is not None


def test_an_event_the_connector_ignores_is_acknowledged_and_nothing_stored(
    served: Served,
) -> None:
    answer = post(served, connect(served), {"type": "customer.updated"})
    assert answer.json() == {"received": True, "accepted": 0}
    assert loaded(served, "SELECT count(*) FROM events") == [(0,)]


def test_a_bad_signature_is_refused_audited_and_nothing_stored(served: Served) -> None:
    connection_id = connect(served)
    answer = post(served, connection_id, {"type": "payment", "id": "pi_2", "amount": "5"}, "bad")
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == "invalid_signature" and error["request_id"].startswith("req_")
    assert loaded(served, "SELECT count(*) FROM events") == [(0,)]
    with served.runtime.database.read() as session:
        entries = audit.list_recent(session)
    assert entries[0].action is audit.AuditAction.WEBHOOK_REJECTED
    assert entries[0].target_id == connection_id


@pytest.mark.parametrize("path", ["/webhooks/stripe/unknown", "/webhooks/paypal/x"])
def test_unknown_endpoints_are_404_envelopes(served: Served, path: str) -> None:
    answer = served.client.post(path, content=b"{}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_a_disabled_connection_no_longer_receives(served: Served) -> None:
    connection_id = connect(served)
    with served.runtime.database.transaction() as session:
        connections.disable(session, connection_id=connection_id, actor="test")
    answer = post(served, connection_id, {"type": "payment", "id": "pi_3", "amount": "5"})
    assert answer.status_code == 404


def test_a_body_over_the_limit_is_refused(tmp_path: Path, fake_connector: Script) -> None:
    with serving(tmp_path / "d", webhook_max_body_bytes=100, sync_scheduler=False) as served:
        raw = b"x" * 200
        answer = served.client.post(f"/webhooks/stripe/{connect(served)}", content=raw)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


def test_only_post_is_allowed(served: Served) -> None:
    answer = served.client.get(f"/webhooks/stripe/{connect(served)}")
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"
