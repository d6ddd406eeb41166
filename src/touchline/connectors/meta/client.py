"""The Meta Marketing API (Graph API) client: the ad account, edges read a page at a time by
their `after` cursors, and Meta's error codes read as rate limits (4, 17, 32, 613, 80000…)
and expired or revoked tokens (190, 102, permissions)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson

from touchline.connectors.base import (
    Connection,
    HttpOptions,
    ProviderAuthExpired,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from touchline.connectors.http import ApiClient

GRAPH_HOST: Final = "https://graph.facebook.com"
VERSION: Final = "v21.0"
PAGE_LIMIT: Final = 500
RATE_LIMIT_CODES: Final = frozenset({4, 17, 32, 613, *range(80000, 80015)})
AUTH_CODES: Final = frozenset({102, 190, 10, *range(200, 300)})
TRANSIENT_CODES: Final = frozenset({1, 2})
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class AdAccount:
    account_id: str  # "act_<digits>"
    currency: str
    utc_offset_hours: float = 0.0

    def today(self, now: datetime) -> date:
        """The account's own day at `now` (Meta cuts report days in the account's zone)."""
        return (now + timedelta(hours=self.utc_offset_hours)).date()


def account_path(account_id: str) -> str:
    """`act_<digits>` from "act_123", "123" or " act_123 "."""
    digits = account_id.strip().removeprefix("act_")
    if not digits.isdigit():
        raise ProviderError(f"a Meta ad account id is act_ and digits, not {account_id!r}")
    return f"act_{digits}"


class MetaClient:
    """Graph API calls for one connection (its token as a bearer header, never in a URL)."""

    def __init__(self, connection: Connection, http: HttpOptions) -> None:
        token = connection.secret("access_token")
        base = f"{(connection.config.get('api_base') or GRAPH_HOST).rstrip('/')}/{VERSION}"
        self._api = ApiClient(
            base, headers={"Authorization": f"Bearer {token}"}, http=http, classify=classify
        )
        app_secret = connection.secrets.get("client_secret", "")
        # Apps that "require app secret" refuse calls without this proof of the token.
        self._proof = (
            {"appsecret_proof": hmac.new(app_secret.encode(), token.encode(), "sha256").hexdigest()}
            if app_secret
            else {}
        )
        self.account_id = account_path(connection.config.get("account_id", ""))

    def __enter__(self) -> MetaClient:
        return self

    def __exit__(self, *_: object) -> None:
        self._api.close()

    def account(self) -> AdAccount:
        fields = "currency,timezone_name,timezone_offset_hours_utc"
        body = self._api.get_json(f"/{self.account_id}", {"fields": fields, **self._proof})
        currency = str(body.get("currency") or "").upper()
        if len(currency) != 3:
            raise ProviderError(f"Meta gave no currency for {self.account_id}")
        offset = float(body.get("timezone_offset_hours_utc") or 0.0)
        return AdAccount(self.account_id, currency, offset)

    def page(self, edge: str, params: dict[str, str], position: str) -> tuple[list[Row], str]:
        """One page of an edge of the account (`campaigns`, `insights`…) from `position` (an
        `after` cursor, '' = the start): its rows and the next position ('' = last page)."""
        query = {**params, "limit": str(PAGE_LIMIT), **self._proof}
        if position:
            query["after"] = position
        body = self._api.get_json(f"/{self.account_id}/{edge}", query)
        rows = [row for row in body.get("data") or () if isinstance(row, dict)]
        after = next_position(body.get("paging"))
        return rows, "" if after == position else after


def next_position(paging: Any) -> str:
    """The `after` cursor when Meta says there is a next page (`paging.next`), else ''. The
    `next` URL itself is not kept: it carries the access token."""
    if not isinstance(paging, dict) or not paging.get("next"):
        return ""
    cursors = paging.get("cursors")
    if isinstance(cursors, dict) and cursors.get("after"):
        return str(cursors["after"])
    return parse_qs(urlsplit(str(paging["next"])).query).get("after", [""])[0]


def classify(response: httpx.Response) -> ProviderError | None:
    """Meta answers most errors with HTTP 400 and a code; read the code."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict):
        return None
    code = _int(error.get("code"))
    message = f"Meta error {code}: {error.get('message') or ''}".strip()
    if code in RATE_LIMIT_CODES:
        return ProviderRateLimited(message, retry_after=_regain_seconds(response))
    if code in AUTH_CODES:
        return ProviderAuthExpired(message)
    if code in TRANSIENT_CODES or error.get("is_transient") is True:
        return ProviderUnavailable(message)
    return None


def _regain_seconds(response: httpx.Response) -> float:
    """The longest `estimated_time_to_regain_access` (minutes) in the business use case
    usage header; 0 = back off as usual."""
    try:
        usage = orjson.loads(response.headers.get("x-business-use-case-usage", "{}"))
    except orjson.JSONDecodeError:
        return 0.0
    minutes = [
        _int(entry.get("estimated_time_to_regain_access"))
        for entries in (usage.values() if isinstance(usage, dict) else ())
        for entry in (entries if isinstance(entries, list) else ())
        if isinstance(entry, dict)
    ]
    return 60.0 * max(minutes, default=0)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
