"""The HTTP client every provider's API client builds on: JSON in and out, retries with
backoff for 429 (honouring Retry-After), 5xx and network errors, and the provider's auth
failures turned into `ProviderAuthExpired` so they surface as connection health."""

from __future__ import annotations

import email.utils
import logging
from collections.abc import Callable, Mapping
from typing import Any, Final

import httpx

from touchline.connectors.base import (
    HttpOptions,
    ProviderAuthExpired,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS: Final = 1.0
BACKOFF_MAX_SECONDS: Final = 60.0
RETRY_AFTER_MAX_SECONDS: Final = 300.0  # longer waits end the run; the next sync resumes
USER_AGENT: Final = "Touchline (+https://github.com/touchline)"

# A provider's own reading of an error answer (Meta's code 17 in a 400 is a rate limit, 190 an
# expired token); None falls back to the generic HTTP rules.
Classifier = Callable[[httpx.Response], ProviderError | None]


class ApiClient:
    """JSON over HTTP against one base URL. Not thread-safe; one per sync or webhook."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        http: HttpOptions,
        classify: Classifier | None = None,
    ) -> None:
        self.http = http
        self.classify = classify
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            transport=http.transport,
            timeout=http.timeout_seconds,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def post_json(self, path: str, body: Any, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("POST", path, params=params, json=body).json()

    def post_form(self, path: str, form: Mapping[str, str]) -> Any:
        return self.request("POST", path, data=form).json()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The response of the first attempt that is neither rate-limited nor a server error;
        raises a ProviderError subclass when the retries run out or retrying cannot help."""
        attempt = 0
        while True:
            try:
                response = self._client.request(method, path, **kwargs)
            except httpx.TransportError as error:
                failure: ProviderError = ProviderUnavailable(f"{method} {path}: {error!r}")
                wait: float | None = backoff(attempt)
            else:
                if response.status_code < 400:
                    return response
                failure, wait = self._failure(method, path, response, attempt)
            attempt += 1
            if wait is None or attempt > self.http.max_retries:
                raise failure
            log.info("retrying %s %s in %.1f s (%s)", method, path, wait, failure.message)
            self.http.sleep(wait)

    def _failure(
        self, method: str, path: str, response: httpx.Response, attempt: int
    ) -> tuple[ProviderError, float | None]:
        """The error this answer means and how long to wait before retrying (None: don't)."""
        if self.classify is not None:
            known = self.classify(response)
            if known is not None:
                error = known
                if isinstance(error, ProviderRateLimited):
                    # Meta may ask for an hour, Google for a day: too long to hold a sync open.
                    if error.retry_after > RETRY_AFTER_MAX_SECONDS:
                        return error, None
                    return error, error.retry_after or backoff(attempt)
                return error, backoff(attempt) if isinstance(error, ProviderUnavailable) else None
        status = response.status_code
        detail = error_detail(response)
        where = f"{method} {path}: HTTP {status}"
        if status == 429:
            wait = retry_after(response, self.http.clock()) or backoff(attempt)
            if wait > RETRY_AFTER_MAX_SECONDS:
                return ProviderRateLimited(f"{where}: {detail}", retry_after=wait), None
            return ProviderRateLimited(f"{where}: {detail}", retry_after=wait), wait
        if status >= 500:
            return ProviderUnavailable(f"{where}: {detail}"), backoff(attempt)
        if status == 401 or (status in (400, 403) and _auth_problem(detail)):
            return ProviderAuthExpired(f"{where}: {detail}"), None
        return ProviderError(f"{where}: {detail}"), None


def backoff(attempt: int) -> float:
    """1, 2, 4, 8 … seconds, capped."""
    return float(min(BACKOFF_BASE_SECONDS * 2**attempt, BACKOFF_MAX_SECONDS))


def retry_after(response: httpx.Response, now: float) -> float | None:
    """Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); None when absent or bad."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - now, 0.0)


def error_detail(response: httpx.Response) -> str:
    """The provider's own error message when the body has one, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    return _message_in(body) or response.text[:300]


def _message_in(body: Any) -> str:
    if isinstance(body, list) and body:
        return _message_in(body[0])
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("status") or error)
    for key in ("message", "error_description", "error", "errors", "msg"):
        if body.get(key):
            return str(body[key])[:300]
    return ""


def _auth_problem(detail: str) -> bool:
    """403s that mean the token is bad (others are permission errors on one object)."""
    lowered = detail.lower()
    return any(word in lowered for word in ("token", "unauthenticated", "expired", "oauth"))
