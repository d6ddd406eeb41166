"""Touchline's Python client: `Touchline(base_url, key)`, its answers and its errors.

from touchline.client import Touchline
with Touchline("http://127.0.0.1:8000/api/v1", "atb_live_…") as api:
    revenue = api.overview("2026-03-01", "2026-03-25").data["current"]["revenue"]
"""

from touchline.client.answers import Answer, RateLimit
from touchline.client.client import Touchline
from touchline.client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    InsufficientScope,
    InvalidDateRange,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
)

__all__ = [
    "Answer",
    "ApiError",
    "BadRequest",
    "Conflict",
    "InsufficientScope",
    "InvalidDateRange",
    "NotFound",
    "RateLimit",
    "RateLimited",
    "ServerError",
    "Touchline",
    "Unauthorized",
]
