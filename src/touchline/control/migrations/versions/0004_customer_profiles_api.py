"""Customer profiles API: an external id (unique per profile) and a soft-delete time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
UNIQUE = "uq_customer_profiles_profile_id"  # the naming convention: table + first column


def upgrade() -> None:
    with op.batch_alter_table("customer_profiles") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("deleted_at", TIME, nullable=True))
        # NULLs are distinct on SQLite and PostgreSQL: only set external ids must be unique; an
        # erase clears the id, so a deleted customer never holds one.
        batch.create_unique_constraint(UNIQUE, ["profile_id", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("customer_profiles") as batch:
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.drop_column("deleted_at")
        batch.drop_column("external_id")
