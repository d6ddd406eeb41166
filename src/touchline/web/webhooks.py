"""`POST /webhooks/{provider}/{connection_id}`: the connector verifies the signature and maps
the body; the events are acknowledged only once durable in the spool (a provider's retry of
an unacknowledged delivery is then a no-op by event id)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, Request

from touchline.connectors.base import WebhookRequest
from touchline.connectors.service import receive_webhook, webhook_stored
from touchline.errors import PayloadTooLarge, Unavailable
from touchline.ingest.context import RequestContext
from touchline.runtime import Runtime, runtime_of

router = APIRouter(include_in_schema=False)


@router.post("/webhooks/{provider}/{connection_id}")
async def webhook(provider: str, connection_id: str, request: Request) -> dict[str, Any]:
    runtime = _runtime(request)
    body = await _body(request, runtime.settings.webhook_max_body_bytes)
    received_at = datetime.now(UTC)
    delivery = WebhookRequest(
        headers={name.lower(): value for name, value in request.headers.items()},
        query=dict(request.query_params),
        body=body,
        received_at=received_at,
    )
    verify = partial(
        receive_webhook,
        database=runtime.database,
        box=runtime.secret_box,
        provider=provider,
        connection_id=connection_id,
        request=delivery,
        http=runtime.http,
    )
    received = await anyio.to_thread.run_sync(verify)
    accepted = 0
    if received.events:
        context = RequestContext(
            profile=received.profile,
            client_ip="",
            user_agent="",
            received_at_us=int(received_at.timestamp() * 1_000_000),
            origin=received.origin,
            live=False,
        )
        accepted, _dropped = await runtime.ingest(received.events, context)
    stored = partial(
        webhook_stored, database=runtime.database, received=received, accepted=accepted
    )
    await anyio.to_thread.run_sync(stored)
    return {"received": True, "accepted": accepted}


def _runtime(request: Request) -> Runtime:
    runtime = runtime_of(request.app)
    if runtime is None:
        raise Unavailable("The server is starting or stopping; retry shortly")
    return runtime


async def _body(request: Request, limit: int) -> bytes:
    """The raw body (signatures cover its exact bytes), refused past `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"A webhook body is at most {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"A webhook body is at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
