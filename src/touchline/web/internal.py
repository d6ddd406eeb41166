"""Internal endpoints for the CLI on the same machine, authorized by the server token in
`<data_dir>/server.token`: `GET /internal/stats` answers `touchline stats` and
`POST /internal/recompute` runs `touchline recompute` and `POST /internal/customers/erase` runs
`touchline customers erase` while this server holds the event store (analytics/stats.py,
processing/recompute.py and identity/erase_command.py are the clients)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Query, Request

from touchline.analytics.stats import STATS_PATH, check_token, traffic_stats
from touchline.control.repos import profiles
from touchline.errors import Unavailable
from touchline.identity.erase import erase
from touchline.identity.erase_command import ERASE_PATH
from touchline.processing.recompute import RECOMPUTE_PATH, recompute_profile
from touchline.runtime import runtime_of

router = APIRouter(include_in_schema=False)


@router.get(STATS_PATH)
async def stats(
    request: Request,
    profile: Annotated[str, Query()],
    date_from: Annotated[str, Query(alias="from")],
    date_to: Annotated[str, Query(alias="to")],
    authorization: Annotated[str, Header()] = "",
) -> dict[str, Any]:
    runtime = runtime_of(request.app)
    if runtime is None:
        raise Unavailable("The server is starting or stopping; retry shortly")
    check_token(authorization, runtime.token)
    summary = partial(
        traffic_stats,
        store=runtime.store,
        database=runtime.database,
        profile_id=profile,
        date_from=date_from,
        date_to=date_to,
    )
    answer: dict[str, Any] = await anyio.to_thread.run_sync(summary)
    return answer


@router.post(RECOMPUTE_PATH)
async def recompute(
    request: Request,
    profile: Annotated[str, Query()],
    authorization: Annotated[str, Header()] = "",
) -> dict[str, Any]:
    """Runs on the loader thread (the event store's one writer) between batches."""
    runtime = runtime_of(request.app)
    if runtime is None:
        raise Unavailable("The server is starting or stopping; retry shortly")
    check_token(authorization, runtime.token)

    def context() -> Any:
        with runtime.database.read() as session:
            return profiles.get(session, profile).context()

    found = await anyio.to_thread.run_sync(context)
    job = runtime.loader.submit(
        lambda store: recompute_profile(database=runtime.database, store=store, profile=found)
    )
    answer: dict[str, Any] = await asyncio.wrap_future(job)
    return answer


@router.post(ERASE_PATH)
async def erase_customer(
    request: Request,
    profile: Annotated[str, Query()],
    customer: Annotated[str, Query()],
    authorization: Annotated[str, Header()] = "",
) -> dict[str, Any]:
    """Runs on the loader thread (the event store's one writer) between batches."""
    runtime = runtime_of(request.app)
    if runtime is None:
        raise Unavailable("The server is starting or stopping; retry shortly")
    check_token(authorization, runtime.token)

    def context() -> Any:
        with runtime.database.read() as session:
            return profiles.get(session, profile).context()

    found = await anyio.to_thread.run_sync(context)
    job = runtime.loader.submit(
        lambda store: (
            erase(database=runtime.database, store=store, profile=found, reference=customer).tables
        )
    )
    tables: dict[str, int] = await asyncio.wrap_future(job)
    return {"profile_id": profile, "customer": customer, "rows_scrubbed": tables}
