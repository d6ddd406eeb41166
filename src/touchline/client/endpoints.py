"""Every endpoint the client calls, by the name of its method: HTTP method and path under the
base URL (`…/api/v1`). A test checks this table against the server's OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str  # `{name}` marks a path parameter


def _get(path: str) -> Endpoint:
    return Endpoint("GET", path)


BREAKDOWNS: Final = ("channels", "pages", "countries", "devices", "browsers", "os", "referrers")
PROFILES: Final = "/customer-profiles"

ENDPOINTS: Final[dict[str, Endpoint]] = {
    # Atribu's API v1
    "overview": _get("/overview"),
    "timeseries": _get("/timeseries"),
    **{name: _get(f"/{name}") for name in BREAKDOWNS},
    "breakdowns": _get("/breakdowns"),
    "campaigns": _get("/campaigns"),
    "campaign_trend": _get("/campaigns/trend"),
    "conversions": _get("/conversions"),
    "conversion_timeseries": _get("/conversions/timeseries"),
    "revenue": _get("/revenue"),
    "cash": _get("/revenue/cash"),
    "customers": _get("/customers"),
    "customer_journey": _get("/customers/{customer_id}/journey"),
    "visitors": _get("/visitors"),
    "realtime": _get("/realtime"),
    "keywords": _get("/keywords"),
    "quality": _get("/quality"),
    "rotate_key": Endpoint("POST", "/keys/rotate"),
    "revoke_key": Endpoint("POST", "/keys/revoke"),
    # AttributionHub's /contacts (and its /timelines alias)
    "contacts": Endpoint("POST", "/contacts"),
    "timelines": Endpoint("POST", "/timelines"),
    # The customer profiles API
    "customer_profiles": _get(PROFILES),
    "customer_profile_count": _get(f"{PROFILES}/count"),
    "customer_profile": _get(f"{PROFILES}/{{customer_id}}"),
    "upsert_customer_profile": Endpoint("POST", PROFILES),
    "update_customer_profile": Endpoint("PATCH", f"{PROFILES}/{{customer_id}}"),
    "delete_customer_profile": Endpoint("DELETE", f"{PROFILES}/{{customer_id}}"),
    "customer_profile_cohorts": _get(f"{PROFILES}/cohorts"),
    "customer_profile_ltv_cohorts": _get(f"{PROFILES}/ltv-cohorts"),
    "recalculate_customer_profile_ltv": Endpoint(
        "POST", f"{PROFILES}/{{customer_id}}/recalculate-ltv"
    ),
    "customer_profile_journey": _get(f"{PROFILES}/{{customer_id}}/journey"),
    "customer_profile_attribution": _get(f"{PROFILES}/{{customer_id}}/attribution"),
    "unmerge_customer_profile": Endpoint("POST", f"{PROFILES}/{{customer_id}}/unmerge"),
}
