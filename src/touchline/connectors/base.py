"""What a connector is: the provider's CLI options, its webhook receiver, its sync and its
file importers, and the values the framework hands them (connection, request, HTTP options)."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar, Protocol

import httpx

from touchline.errors import TouchlineError
from touchline.ingest.protocol import RawEvent

if TYPE_CHECKING:
    from touchline.control.db import Database


class Provider(StrEnum):
    STRIPE = "stripe"
    MERCADOPAGO = "mercadopago"
    SHOPIFY = "shopify"
    GHL = "ghl"
    META = "meta"
    GOOGLE_ADS = "google_ads"
    GSC = "gsc"


@dataclass(frozen=True, slots=True)
class Connection:
    """One profile's link to a provider account, secrets decrypted for the call at hand."""

    connection_id: str
    profile_id: str
    provider: Provider
    config: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    cursors: Mapping[str, str] = field(default_factory=dict)
    # The control plane, for connectors that read it through `control.repos` (a Payment Link's
    # customer profile); None where nothing is read (pure mapping tests).
    database: Database | None = None

    def secret(self, key: str) -> str:
        """A required secret; a missing one is a configuration error, not a crash."""
        value = self.secrets.get(key, "")
        if not value:
            raise ProviderAuthExpired(f"the {self.provider} connection has no {key}")
        return value

    def switch(self, key: str) -> bool:
        """An on/off option (`Option(switch=True)`): on only when stored as "true"."""
        return self.config.get(key, "") == "true"


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A webhook as received: header names lower-cased, the raw body untouched."""

    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    received_at: datetime  # aware, UTC


@dataclass(frozen=True, slots=True)
class Page:
    """Events of one sync page and the cursor to resume after it (None: keep the old one)."""

    stream: str
    events: Sequence[RawEvent]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class HttpOptions:
    """How API clients reach the network; tests inject a transport and a no-op sleep."""

    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    max_retries: int = 5
    timeout_seconds: float = 30.0
    clock: Callable[[], float] = time.time


@dataclass(frozen=True, slots=True)
class Option:
    """A `touchline connect` flag the connector accepts; secrets are encrypted, never shown."""

    flag: str  # e.g. "webhook-secret"
    secret: bool = False
    required: bool = False
    help: str = ""
    # An on/off setting, stored in config as "true" or "false" (absent: off).
    switch: bool = False

    @property
    def key(self) -> str:
        return self.flag.replace("-", "_")


class WebhookReceiver(Protocol):
    def __call__(
        self, connection: Connection, request: WebhookRequest, http: HttpOptions
    ) -> list[RawEvent]:
        """Verify (raise WebhookRejected), then the events to store; [] = nothing to store."""
        ...


class Syncer(Protocol):
    def __call__(
        self, connection: Connection, *, since: date | None, http: HttpOptions
    ) -> Iterator[Page]:
        """Pages from `connection.cursors[stream]` on (or from `since`)."""
        ...


class FileImporter(Protocol):
    def __call__(self, handle: BinaryIO, *, default_currency: str) -> Iterator[RawEvent]: ...


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    provider: Provider
    title: str
    options: tuple[Option, ...] = ()
    receive: WebhookReceiver | None = None
    sync: Syncer | None = None
    importers: Mapping[str, FileImporter] = field(default_factory=dict)
    sync_interval_minutes: int = 60
    # Options a connection must have set for syncs (Stripe's API key: a webhook-only Stripe
    # connection is never scheduled, and `touchline sync` says what is missing).
    sync_needs: tuple[str, ...] = ()

    def syncs(self, settings: Collection[str]) -> bool:
        """Whether a connection with these option keys set (secrets or config) syncs."""
        return self.sync is not None and all(key in settings for key in self.sync_needs)

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


# --- errors: the project's error tree (envelope, exit codes) --------------------------------


class WebhookRejected(TouchlineError):
    """A bad, stale or missing signature (or a body that is not the provider's)."""

    code = "invalid_signature"
    status = 401
    exit_code = 3


class ProviderError(TouchlineError):
    """The provider answered with an error we cannot fix by retrying."""

    code = "provider_error"
    status = 502
    exit_code = 8
    health: ClassVar[str] = "failing"


class ProviderUnavailable(ProviderError):
    """5xx or network failures that outlasted the retries."""

    health = "unavailable"


class ProviderRateLimited(ProviderError):
    """429 (or the provider's rate-limit error) that outlasted the retries."""

    health = "rate_limited"

    def __init__(self, message: str, *, retry_after: float = 0.0, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after


class ProviderAuthExpired(ProviderError):
    """An expired, revoked or missing token: retrying will not help, a person must reconnect."""

    health = "auth_expired"
