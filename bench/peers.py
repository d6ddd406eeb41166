"""The T1 peers, served by uvicorn exactly like Touchline: a bare Starlette endpoint that
parses the collect body and drops it, and an idiomatic FastAPI + pydantic endpoint."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

COLLECT_PATH = "/api/tracking/collect"


async def parse_and_drop(request: Request) -> Response:
    body = orjson.loads(await request.body())
    accepted = b'{"accepted":%d}' % len(body["events"])
    return Response(accepted, status_code=202, media_type="application/json")


bare_starlette = Starlette(routes=[Route(COLLECT_PATH, parse_and_drop, methods=["POST"])])


class Event(BaseModel):
    event_id: str
    type: str
    anonymous_id: str
    timestamp: int | float | str
    name: str = ""
    session_id: str = ""
    url: str = ""
    referrer: str = ""
    title: str = ""
    user_id: str = ""
    payload: dict[str, Any] | None = None


class CollectBody(BaseModel):
    tracking_key: str
    events: list[Event]


class Accepted(BaseModel):
    accepted: int


fastapi_pydantic = FastAPI()


@fastapi_pydantic.post(COLLECT_PATH, status_code=202)
async def collect(body: CollectBody) -> Accepted:
    return Accepted(accepted=len(body.events))
