"""Profiles: one tracked business inside a workspace, with its reporting and session settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from touchline.control.models.base import ID_LENGTH, Base, new_id

MIN_SESSION_TIMEOUT_MINUTES = 1
MAX_SESSION_TIMEOUT_MINUTES = 120
DEFAULT_SESSION_TIMEOUT_MINUTES = 30


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = (
        CheckConstraint(
            f"session_timeout_minutes BETWEEN {MIN_SESSION_TIMEOUT_MINUTES} "
            f"AND {MAX_SESSION_TIMEOUT_MINUTES}",
            name="session_timeout_range",
        ),
        CheckConstraint(
            "session_mode IN ('inactivity_only', 'inactivity_or_source_change')",
            name="session_mode_known",
        ),
        CheckConstraint("length(currency) = 3", name="currency_code"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    # Normalized hosts (lowercase, no scheme/port/path, no leading www.).
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    session_timeout_minutes: Mapped[int] = mapped_column(default=DEFAULT_SESSION_TIMEOUT_MINUTES)
    session_mode: Mapped[str] = mapped_column(String(32), default="inactivity_only")
    # Attribution (domain.attribution.settings holds the ranges and defaults).
    click_window_days: Mapped[int] = mapped_column(default=30)
    view_window_hours: Mapped[int] = mapped_column(default=24)
    first_touch_window_days: Mapped[int] = mapped_column(default=90)
    half_life_days: Mapped[float] = mapped_column(Float, default=7.0)
    custom_weight_first: Mapped[int] = mapped_column(default=40)
    custom_weight_middle: Mapped[int] = mapped_column(default=20)
    custom_weight_last: Mapped[int] = mapped_column(default=40)
    # ISO 3166 region for phone numbers written without a country code (None: must have one).
    phone_region: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime]
