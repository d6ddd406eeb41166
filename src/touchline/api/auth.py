"""Who is calling: the `Authorization: Bearer atb_live_…` key (the peers' `Authentication`
header too), its profile, its scopes, and its rate-limit units for this request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Final

import anyio
from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from touchline.api.rate_limit import Allowance
from touchline.control.repos import api_keys, profiles
from touchline.control.repos.api_keys import ApiKeyRecord
from touchline.domain.keys import Scope
from touchline.errors import InsufficientScope, Unauthorized, Unavailable
from touchline.ingest.context import ProfileContext
from touchline.runtime import Runtime, runtime_of

HEAVY_COST: Final = 3  # customers, visitors and journeys (the spec's heavy endpoints)
BEARER: Final = "bearer "
# Declares the scheme in the OpenAPI document; the key itself is read by `presented_key`.
BEARER_SCHEME: Final = HTTPBearer(
    auto_error=False, bearerFormat="atb_live_…", description="A profile's API key."
)


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: the key, its profile's settings and the open runtime."""

    key: ApiKeyRecord
    profile: ProfileContext
    runtime: Runtime
    allowance: Allowance

    @property
    def profile_id(self) -> str:
        return self.profile.profile_id


def presented_key(request: Request) -> str:
    """The key from `Authorization` (or the peers' `Authentication`), Bearer or bare."""
    header = request.headers.get("authorization") or request.headers.get("authentication") or ""
    header = header.strip()
    if header[: len(BEARER)].lower() == BEARER:
        header = header[len(BEARER) :].strip()
    return header


CallerDependency = Callable[..., Awaitable["Caller"]]


def require_key() -> CallerDependency:
    """Any valid key, whatever its scopes (key management)."""
    return require(None)


def require(scope: Scope | None, *, cost: int = 1) -> CallerDependency:
    """A dependency: the caller, once the key is valid, has `cost` units left this minute and
    holds `scope` (401, 429 and 403 otherwise, in that order: a refused request still counts)."""

    async def caller(
        request: Request,
        response: Response,
        _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER_SCHEME)] = None,
    ) -> Caller:
        runtime = runtime_of(request.app)
        if runtime is None:
            raise Unavailable("The server is starting or stopping; retry shortly")
        plaintext = presented_key(request)
        if not plaintext:
            raise Unauthorized("Missing API key: send Authorization: Bearer atb_live_…")
        key, profile = await anyio.to_thread.run_sync(_authenticate, runtime, plaintext)
        allowance = runtime.rate_limiter.spend(key.id, limit=key.rate_limit_per_minute, cost=cost)
        response.headers.update(allowance.headers())
        request.state.rate_limit_headers = allowance.headers()
        if scope is not None and not key.has_scope(scope):
            raise InsufficientScope(f"This API key lacks the {scope.value} scope")
        return Caller(key, profile, runtime, allowance)

    return caller


def _authenticate(runtime: Runtime, plaintext: str) -> tuple[ApiKeyRecord, ProfileContext]:
    with runtime.database.transaction() as session:
        key = api_keys.authenticate(session, plaintext)
        if key is None:
            raise Unauthorized("Invalid or expired API key")
        return key, profiles.get(session, key.profile_id).context()
