"""Connections: a profile's link to a provider account (credentials encrypted), its sync
cursors and its health — what the dashboard banner and the MCP freshness envelope read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from touchline.control.models.base import ID_LENGTH, Base, new_id


class Connection(Base):
    __tablename__ = "connections"
    __table_args__ = (Index("ix_connections_profile_provider", "profile_id", "provider"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"))
    provider: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | disabled
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Fernet token of the JSON secrets (control/secrets.py); never logged, never shown.
    secrets: Mapped[str] = mapped_column(Text, default="")
    secret_names: Mapped[list[str]] = mapped_column(JSON, default=list)  # for listings
    cursors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    health: Mapped[str] = mapped_column(String(16), default="never")
    last_error: Mapped[str | None] = mapped_column(Text)
    last_sync_started_at: Mapped[datetime | None]
    last_sync_at: Mapped[datetime | None]  # last run that ended, well or not
    last_success_at: Mapped[datetime | None]
    last_webhook_at: Mapped[datetime | None]
    events_received: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
