"""Goals (conversion definitions) and a profile's CRM pipeline-stage → goal overrides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from touchline.control.models.base import ID_LENGTH, Base, new_id


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (
        UniqueConstraint("profile_id", "key"),
        CheckConstraint("revenue_type IN ('cash', 'pipeline', 'gross')", name="revenue_type_known"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # payment_received, trial_started, …
    name: Mapped[str] = mapped_column(String(200))
    source_events: Mapped[list[str]] = mapped_column(JSON)  # event names that match
    revenue_type: Mapped[str] = mapped_column(String(16))
    attribution_eligible: Mapped[bool] = mapped_column(default=True)
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class StageMapping(Base):
    """A user's override: CRM pipeline stage (matched case-insensitively) → goal key."""

    __tablename__ = "stage_mappings"
    __table_args__ = (UniqueConstraint("profile_id", "stage"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"), index=True)
    stage: Mapped[str] = mapped_column(String(200))  # lowercased, trimmed stage name
    goal_key: Mapped[str] = mapped_column(String(64))  # '' = the stage is not a conversion
    created_at: Mapped[datetime]
