"""Building the events connectors hand to ingest: server events (payments, orders, leads,
stage changes) and records (ad entities, insights, keywords, calendar events), each with a
deterministic id so a redelivered webhook or a re-run sync writes nothing new."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

import orjson

from touchline.domain.records import FIELDS, KEYS, RecordKind
from touchline.ingest.protocol import EventType, Identity, RawEvent, Revenue

# Event ids are uuid5 names in this namespace (uuid5(NAMESPACE_URL, "touchline:connectors")).
NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "touchline:connectors")


def event_id(provider: str, key: Sequence[object]) -> str:
    """The same provider and key parts give the same id, in every process and run."""
    name = "\x1f".join([provider, *(str(part) for part in key)])
    return str(uuid.uuid5(NAMESPACE, name))


def epoch_ms(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("connector timestamps must be timezone-aware")
    return int(at.astimezone(UTC).timestamp() * 1000)


def server_event(
    *,
    provider: str,
    key: Sequence[object],
    name: str,
    at: datetime,
    identity: Identity | None = None,
    amount: Decimal | float | None = None,
    currency: str = "",
    payload: Mapping[str, Any] | None = None,
) -> RawEvent:
    """A `track` event a provider reported (`payment_received`, `lead_created`, …); `key`
    names it uniquely within the provider (e.g. the provider's event or object id)."""
    identifier = event_id(provider, key)
    revenue = None
    if amount is not None:
        revenue = Revenue(amount=float(amount), currency=currency.upper())
    return RawEvent(
        event_id=identifier,
        type=EventType.TRACK,
        anonymous_id=f"server:{provider}:{identifier}",
        timestamp=epoch_ms(at),
        name=name,
        identity=identity,
        revenue=revenue,
        payload=dict(payload) if payload is not None else None,
    )


def record_event(
    *, provider: str, kind: RecordKind, at: datetime, data: Mapping[str, Any]
) -> RawEvent:
    """A record of `kind` (fields: domain.records.FIELDS). Its id hashes the content, so an
    unchanged record re-synced is a no-op and a restated one (new spend) a new version."""
    unknown = set(data) - set(FIELDS[kind])
    if unknown:
        raise ValueError(f"{kind} records have no field(s) {sorted(unknown)}")
    missing = [field for field in KEYS[kind] if field not in data]
    if missing:
        raise ValueError(f"{kind} records need {missing}")
    content = hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS, default=str))
    key = (kind.value, *(data[field] for field in KEYS[kind]), content.hexdigest()[:32])
    identifier = event_id(provider, key)
    return RawEvent(
        event_id=identifier,
        type=EventType.RECORD,
        anonymous_id=f"server:{provider}:records",
        timestamp=epoch_ms(at),
        name=kind.value,
        payload=orjson.loads(orjson.dumps(data, default=str)),
    )
