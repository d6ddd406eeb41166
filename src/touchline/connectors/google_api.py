"""Google's APIs (Ads, Search Console): the OAuth access token a connection's refresh token
mints (or the access token it was given), and Google's error answers read as rate limits
(`RESOURCE_EXHAUSTED`, quota reasons, with their `retryDelay`) and expired tokens."""

from __future__ import annotations

import re
from typing import Any, Final

import httpx

from touchline.connectors.base import (
    Connection,
    HttpOptions,
    ProviderAuthExpired,
    ProviderError,
    ProviderRateLimited,
)
from touchline.connectors.http import ApiClient

TOKEN_HOST: Final = "https://oauth2.googleapis.com"
TOKEN_PATH: Final = "/token"
RATE_REASONS: Final = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"}
)
AUTH_GRANT_ERRORS: Final = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})
_DURATION: Final = re.compile(r"^(\d+(?:\.\d+)?)s$")


def host(connection: Connection, default: str) -> str:
    """The API host: `--api-base` (a proxy, the tests' fixture server) or Google's."""
    return (connection.config.get("api_base") or default).rstrip("/")


def access_token(connection: Connection, http: HttpOptions) -> str:
    """A fresh token from the refresh token when the connection has one, else its access
    token (which lasts an hour: enough for one run, not for a schedule)."""
    refresh = connection.secrets.get("refresh_token", "")
    if not refresh:
        return connection.secret("access_token")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh,
        "client_id": connection.config.get("client_id", ""),
        "client_secret": connection.secret("client_secret"),
    }
    with ApiClient(host(connection, TOKEN_HOST), http=http, classify=classify) as api:
        answer = api.post_form(TOKEN_PATH, form)
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not token:
        raise ProviderAuthExpired("Google's token endpoint answered without an access token")
    return str(token)


def classify(response: httpx.Response) -> ProviderError | None:
    """Google's reading of an error answer; None leaves it to the generic HTTP rules."""
    body = _body(response)
    error = body.get("error")
    if isinstance(error, str):  # the OAuth token endpoint's shape
        if error in AUTH_GRANT_ERRORS:
            detail = body.get("error_description") or error
            return ProviderAuthExpired(f"Google refused the refresh token: {detail}")
        return None
    if not isinstance(error, dict):
        return None
    wait = _seconds(response.headers.get("retry-after", ""))
    return read_error(error, status_code=response.status_code, retry_after=wait)


def read_error(
    error: dict[str, Any], *, status_code: int, retry_after: float = 0.0
) -> ProviderError | None:
    """An `{"code", "status", "message", "errors", "details"}` error object, from an error
    answer or from inside a stream that failed midway."""
    status = str(error.get("status") or "")
    message = f"HTTP {status_code} {status}: {error.get('message') or ''}".strip()
    reasons = {e.get("reason") for e in error.get("errors") or () if isinstance(e, dict)}
    if status == "UNAUTHENTICATED":
        return ProviderAuthExpired(message)
    if status == "RESOURCE_EXHAUSTED" or reasons & RATE_REASONS:
        return ProviderRateLimited(message, retry_after=_retry_delay(error) or retry_after)
    return None


def _body(response: httpx.Response) -> dict[str, Any]:
    """The error object; a searchStream error arrives as a one-item JSON array."""
    try:
        body = response.json()
    except ValueError:
        return {}
    if isinstance(body, list) and body:
        body = body[0]
    return body if isinstance(body, dict) else {}


def _retry_delay(value: Any) -> float | None:
    """The first `retryDelay` ("30s") anywhere in the error's details."""
    if isinstance(value, dict):
        delay = value.get("retryDelay")
        if isinstance(delay, str) and (match := _DURATION.match(delay)):
            return float(match.group(1))
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = _retry_delay(item)
            if found is not None:
                return found
    return None


def _seconds(header: str) -> float:
    """A Retry-After in seconds (Google does not send dates); 0 = back off as usual."""
    value = header.strip()
    return float(value) if value.replace(".", "", 1).isdigit() else 0.0
