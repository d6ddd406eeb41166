"""API keys (`atb_live_…`): stored as a SHA-256 hash plus a non-secret lookup prefix."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from touchline.control.models.base import ID_LENGTH, Base, new_id
from touchline.domain.keys import DEFAULT_RATE_LIMIT_PER_MINUTE


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("rate_limit_per_minute > 0", name="rate_limit_positive"),)
    # No report reads keys: a key's `last_used_at` touch must not make cached answers stale.
    affects_answers: ClassVar[bool] = False

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    rate_limit_per_minute: Mapped[int] = mapped_column(default=DEFAULT_RATE_LIMIT_PER_MINUTE)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # The key this one replaced by rotation (the old key keeps working for the grace period).
    replaces_key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"))
