"""Record the OpenAPI document's response examples from a real server: build a small demo
workspace in a temporary data directory (`touchline demo`), ask every operation with the
demo's API key, keep the first rows of each list, and write them to
src/touchline/api/examples.json (docs/decisions/0990). tests/api/test_openapi_examples.py
checks every operation has one and that each matches its response schema.

Run: `.venv/bin/python scripts/record_api_examples.py` (about a minute).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from touchline.app import create_app
from touchline.control.db import Database
from touchline.control.repos import api_keys
from touchline.domain.identity import IdentifierKind, Identifiers
from touchline.domain.keys import Scope
from touchline.identity.graph import next_identifier_version, resolve_batch
from touchline.settings import Settings

OUT = Path(__file__).resolve().parents[1] / "src" / "touchline" / "api" / "examples.json"
ROWS = 2  # rows kept of every list
DAYS = 14


def build_demo(data_dir: Path) -> str:
    """The demo profile's id, after loading DAYS of traffic into `data_dir`."""
    env = os.environ | {"TOUCHLINE_DATA_DIR": str(data_dir), "TOUCHLINE_SYNC_SCHEDULER": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "touchline", "demo", "--days", str(DAYS), "--scale", "0.3",
         "--json"], env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return str(json.loads(done.stdout)["profile_id"])


def every_scope_key(settings: Settings, profile_id: str) -> dict[str, str]:
    """A key with every scope (the demo's own has the defaults only)."""
    database = Database.open(settings)
    try:
        with database.transaction() as session:
            issued = api_keys.create(
                session, profile_id=profile_id, name="examples", actor="examples",
                scopes=[scope.value for scope in Scope], rate_limit_per_minute=10_000,
            )  # fmt: skip
    finally:
        database.close()
    return {"Authorization": f"Bearer {issued.plaintext}"}


def trimmed(value: Any) -> Any:
    if isinstance(value, list):
        return [trimmed(item) for item in value[:ROWS]]
    if isinstance(value, dict):
        return {key: trimmed(item) for key, item in value.items()}
    return value


def questions(client: TestClient, key: dict[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Operation → (URL, request options), with ids taken from earlier answers."""
    end = datetime.now(UTC).date() - timedelta(days=1)
    period = {"date_from": (end - timedelta(days=DAYS - 2)).isoformat(), "date_to": str(end)}

    def first(path: str, field: str, **query: Any) -> Any:
        answer = client.get(f"/api/v1{path}", params=period | query, headers=key)
        assert answer.status_code == 200, answer.text
        return answer.json()["data"][0][field]

    campaign = first("/campaigns", "campaign_id", level="campaign")
    customer = first("/customers", "customer_profile_id", goal="payment_received")
    asked: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in ("/overview", "/timeseries", "/channels", "/pages", "/countries", "/devices",
                 "/browsers", "/os", "/referrers", "/conversions", "/conversions/timeseries",
                 "/revenue", "/revenue/cash", "/quality", "/keywords", "/campaigns",
                 "/visitors"):  # fmt: skip
        asked[f"GET {path}"] = (path, {"params": period})
    asked["GET /breakdowns"] = ("/breakdowns", {"params": period | {"dimensions": "channel"}})
    asked["GET /realtime"] = ("/realtime", {})
    asked["GET /campaigns/trend"] = ("/campaigns/trend", {"params": period | {
        "entity_ids": campaign}})  # fmt: skip
    asked["GET /customers"] = ("/customers", {"params": period | {"goal": "payment_received"}})
    asked["GET /customers/{customer_id}/journey"] = (f"/customers/{customer}/journey", {})
    body = {"start_date": period["date_from"], "end_date": period["date_to"]}
    asked["POST /contacts"] = ("/contacts", {"json": body})
    asked["POST /timelines"] = ("/timelines", {"json": body})
    return asked | profile_questions(customer)


def profile_questions(customer: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """The customer profiles API, in an order that leaves the demo's customers whole: the
    example customer is created, changed and finally erased."""
    base, new = "/customer-profiles", "/customer-profiles/ext_crm-1001"
    person = {"externalId": "crm-1001", "email": "ana.lima@example.com", "firstName": "Ana"}
    return {
        f"GET {base}": (base, {"params": {"limit": 2}}),
        f"GET {base}/count": (f"{base}/count", {}),
        f"GET {base}/cohorts": (f"{base}/cohorts", {"params": {"group_by": "source"}}),
        f"GET {base}/ltv-cohorts": (f"{base}/ltv-cohorts", {"params": {"months": 3}}),
        f"GET {base}/{{customer_id}}": (f"{base}/{customer}", {}),
        f"GET {base}/{{customer_id}}/journey": (f"{base}/{customer}/journey", {}),
        f"GET {base}/{{customer_id}}/attribution": (
            f"{base}/{customer}/attribution", {"params": {"model": "linear"}}),
        f"POST {base}/{{customer_id}}/recalculate-ltv": (
            f"{base}/{customer}/recalculate-ltv", {}),
        f"POST {base}": (base, {"json": person}),
        f"PATCH {base}/{{customer_id}}": (new, {"json": {"lastName": "Lima"}}),
        f"DELETE {base}/{{customer_id}}": (new, {}),
    }  # fmt: skip


def merged_pair(settings: Settings, profile_id: str) -> tuple[str, str]:
    """A merge to undo in the unmerge example: an email customer and a phone customer that
    an identity carrying both merged (the identity graph's own rules). (winner, merge id)."""
    email = (IdentifierKind.EMAIL, "sam.rivera@example.com")
    phone = (IdentifierKind.PHONE, "+14155550100")
    batch = [Identifiers(pairs=(email,)), Identifiers(pairs=(phone,)),
             Identifiers(pairs=(email, phone))]  # fmt: skip
    database = Database.open(settings)
    try:
        now = datetime.now(UTC)
        with database.transaction() as session:
            version = next_identifier_version(session, int(now.timestamp() * 1_000_000))
            done = resolve_batch(session, profile_id=profile_id, batch=batch, now=now,
                                 version=version)  # fmt: skip
        winner = done.customer_ids[-1]
        assert winner is not None and done.merge_ids
        return winner, done.merge_ids[-1]
    finally:
        database.close()


def record(client: TestClient, key: dict[str, str], merge: tuple[str, str]) -> dict[str, Any]:
    examples: dict[str, Any] = {}
    for operation, (path, options) in questions(client, key).items():
        method = operation.split(" ", 1)[0]
        answer = client.request(method, f"/api/v1{path}", headers=key, **options)
        answer.raise_for_status()
        examples[operation] = trimmed(answer.json())
    winner, merge_id = merge
    examples["POST /customer-profiles/{customer_id}/unmerge"] = client.post(
        f"/api/v1/customer-profiles/{winner}/unmerge", headers=key, json={"merge_id": merge_id}
    ).json()
    # Last: rotating replaces the key the other questions used.
    rotated = client.post("/api/v1/keys/rotate", headers=key).json()
    new_key = {"Authorization": f"Bearer {rotated['data']['key']}"}
    # A real key is never published, not even a throwaway one: same shape, fake secret.
    rotated["data"]["key"] = rotated["data"]["prefix"] + "…"
    examples["POST /keys/rotate"] = rotated
    examples["POST /keys/revoke"] = client.post("/api/v1/keys/revoke", headers=new_key).json()
    return examples


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        profile_id = build_demo(data_dir)
        settings = Settings(data_dir=data_dir, sync_scheduler=False)
        key = every_scope_key(settings, profile_id)
        merge = merged_pair(settings, profile_id)
        with TestClient(create_app(settings)) as client:
            examples = record(client, key, merge)
    OUT.write_text(json.dumps(examples, indent=1, sort_keys=True) + "\n")
    sys.stdout.write(f"{len(examples)} examples → {OUT}\n")


if __name__ == "__main__":
    main()
