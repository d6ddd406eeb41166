"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers them all
on `Base.metadata` (Alembic and the schema tests compare against it)."""

from touchline.control.models import (
    api_key,
    audit,
    connection,
    customer,
    fx_rate,
    goal,
    profile,
    tracking_key,
    user,
    workspace,
)
from touchline.control.models.base import Base

__all__ = [
    "Base",
    "api_key",
    "audit",
    "connection",
    "customer",
    "fx_rate",
    "goal",
    "profile",
    "tracking_key",
    "user",
    "workspace",
]
