"""What a payment's metadata binds it to (Payment Link and checkout metadata, MercadoPago
metadata and external reference): campaign data, the tracker's visitor and session, a known
customer profile. A binding naming another profile is ignored whole (docs/connectors/stripe.md).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qsl

import orjson

from touchline.control.db import Database
from touchline.control.repos import customers
from touchline.domain.identity import IDENTITY_FIELDS, IdentifierKind
from touchline.errors import NotFound

log = logging.getLogger(__name__)

PROFILE_KEY: Final = "atribu_profile_id"
CUSTOMER_KEY: Final = "atribu_customer_profile_id"
CAMPAIGN_KEYS: Final = (
    "campaign_id", "ad_set_id", "ad_id", "utm_source", "utm_medium", "utm_campaign",
    "utm_content", "utm_term", "fbclid", "gclid", "msclkid", "ttclid",
)  # fmt: skip
VISITOR_KEYS: Final = ("atribu_visitor_id", "anonymous_id")  # first found wins
SESSION_KEYS: Final = ("atribu_session_id", "session_id")
ALIASES: Final = {"adset_id": "ad_set_id"}  # spellings Payment Links in the wild use
MAX_VALUE: Final = 128  # ids and campaign values; longer ones are cut, never refused
MAX_MERGE_HOPS: Final = 8
FIELD_OF_KIND: Final = {kind: name for name, kind in IDENTITY_FIELDS.items()}


@dataclass(frozen=True, slots=True)
class Binding:
    """What the metadata says about the payment's attribution (all empty: nothing)."""

    campaign: Mapping[str, str] = field(default_factory=dict)
    anonymous_id: str = ""
    session_id: str = ""
    customer_profile_id: str = ""

    def payload(self) -> dict[str, str]:
        """The event payload fields the conversions step reads (docs/goals-and-conversions.md)."""
        out = dict(self.campaign)
        if self.anonymous_id:
            out["anonymous_id"] = self.anonymous_id
        if self.session_id:
            out["session_id"] = self.session_id
        if self.customer_profile_id:
            out["customer_profile_id"] = self.customer_profile_id
        return out


NO_BINDING: Final = Binding()


def binding_of(metadata: Mapping[str, Any], *, profile_id: str, source: str) -> Binding:
    """The binding in `metadata` for a payment of `profile_id`. Metadata naming another profile
    (`atribu_profile_id`) binds nothing: a link made for one profile paid into another
    profile's account must not move that profile's attribution."""
    values = {ALIASES.get(str(k), str(k)): _text(v) for k, v in metadata.items()}
    named = values.get(PROFILE_KEY, "")
    if named and named != profile_id:
        log.warning("%s: metadata names profile %s, not %s; binding ignored", source, named,
                    profile_id)  # fmt: skip
        return NO_BINDING
    return Binding(
        campaign={k: values[k] for k in CAMPAIGN_KEYS if values.get(k)},
        anonymous_id=next((values[k] for k in VISITOR_KEYS if values.get(k)), ""),
        session_id=next((values[k] for k in SESSION_KEYS if values.get(k)), ""),
        customer_profile_id=values.get(CUSTOMER_KEY, ""),
    )


def reference_metadata(reference: str) -> dict[str, str]:
    """Bindings carried in a free-text reference (MercadoPago's `external_reference`): a JSON
    object or `key=value&…` pairs; anything else (a plain order number) carries none."""
    text = reference.strip()
    if text.startswith("{"):
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            return {}
        return {str(k): _text(v) for k, v in value.items()} if isinstance(value, dict) else {}
    if "=" in text:
        return dict(parse_qsl(text, keep_blank_values=False))
    return {}


def customer_identity(
    database: Database | None, *, profile_id: str, customer_profile_id: str
) -> dict[str, str]:
    """The identity fields (`email`, `phone`, `stripe_customer_id`, …) of the bound customer
    profile, following merges; empty when it is unknown or belongs to another profile."""
    if database is None or not customer_profile_id:
        return {}
    with database.read() as session:
        record = _current(session, customer_profile_id)
        if record is None or record.profile_id != profile_id:
            log.warning("payment bound to customer %s, unknown in profile %s; ignored",
                        customer_profile_id, profile_id)  # fmt: skip
            return {}
        found = {"email": record.email or "", "phone": record.phone or ""}
        for kind, value in record.identifiers:
            name = FIELD_OF_KIND.get(IdentifierKind(kind))
            if name and not found.get(name):
                found[name] = value
    return {k: v for k, v in found.items() if v}


def _current(session: Any, customer_id: str) -> customers.CustomerRecord | None:
    """The customer, or the one it was merged into (a few hops at most)."""
    for _ in range(MAX_MERGE_HOPS):
        try:
            record = customers.get(session, customer_id)
        except NotFound:
            return None
        if record.merged_into_id is None:
            return record
        customer_id = record.merged_into_id
    return None


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value).strip()[:MAX_VALUE]
