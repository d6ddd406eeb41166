"""Internal endpoints for the CLI on the same machine, authorized by the server token in
`<data_dir>/server.token`: `GET /internal/stats` answers `touchline stats` and
`POST /internal/recompute` runs `touchline recompute` and `POST /internal/customers/erase` runs
`touchline customers erase` while this server holds the event store (analytics/stats.py,
processing/recompute.py and identity/erase_command.py are the clients)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Query, Request

from touchline.analytics.stats import STATS_PATH, check_token, traffic_stats
from touchline.control.repos import profiles
from touchline.errors import Unavailable
from touchline.identity.customer_profiles import erase_on_writer
from touchline.identity.erase_command import ERASE_PATH
from touchline.ingest.context import ProfileContext
from touchline.ingest.loader import StoreJob
from touchline.processing.recompute import RECOMPUTE_PATH, recompute_profile
from touchline.runtime import Runtime, runtime_of

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
    def work(runtime: Runtime, found: ProfileContext) -> StoreJob:
        return lambda store: recompute_profile(
            database=runtime.database, store=store, profile=found
        )

    return await _on_writer(request, authorization, profile, work)


@router.post(ERASE_PATH)
async def erase_customer(
    request: Request,
    profile: Annotated[str, Query()],
    customer: Annotated[str, Query()],
    authorization: Annotated[str, Header()] = "",
) -> dict[str, Any]:
    def work(runtime: Runtime, found: ProfileContext) -> StoreJob:
        job = erase_on_writer(runtime.database, found, customer)
        return lambda store: {
            "profile_id": profile,
            "customer": customer,
            "rows_scrubbed": job(store).tables,
        }

    return await _on_writer(request, authorization, profile, work)


Work = Callable[[Runtime, ProfileContext], StoreJob]  # the job to run for the profile


async def _on_writer(
    request: Request, authorization: str, profile_id: str, work: Work
) -> dict[str, Any]:
    """Run the profile's job on the loader thread (the event store's one writer), between
    batches, once the server token is checked."""
    runtime = runtime_of(request.app)
    if runtime is None:
        raise Unavailable("The server is starting or stopping; retry shortly")
    check_token(authorization, runtime.token)

    def context() -> ProfileContext:
        with runtime.database.read() as session:
            return profiles.get(session, profile_id).context()

    found = await anyio.to_thread.run_sync(context)
    job = runtime.loader.submit(work(runtime, found))
    answer: dict[str, Any] = await asyncio.wrap_future(job)
    return answer
