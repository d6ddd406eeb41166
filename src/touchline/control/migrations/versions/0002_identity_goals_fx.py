"""Attribution: identity graph, goals and stage mappings, FX rates, profile attribution settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=36)
TIME = sa.DateTime(timezone=True)

PROFILE_SETTINGS = (
    ("click_window_days", sa.Integer(), "30"),
    ("view_window_hours", sa.Integer(), "24"),
    ("first_touch_window_days", sa.Integer(), "90"),
    ("half_life_days", sa.Float(), "7.0"),
    ("custom_weight_first", sa.Integer(), "40"),
    ("custom_weight_middle", sa.Integer(), "20"),
    ("custom_weight_last", sa.Integer(), "40"),
)


def upgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        for name, type_, default in PROFILE_SETTINGS:
            batch.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        batch.add_column(sa.Column("phone_region", sa.String(length=2), nullable=True))
    _create_identity_graph()
    _create_goals()
    _create_fx_rates()


def _create_identity_graph() -> None:
    op.create_table(
        "customer_profiles",
        sa.Column("id", ID, nullable=False),
        sa.Column("profile_id", ID, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("merged_into_id", ID, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"], ["profiles.id"], name=op.f("fk_customer_profiles_profile_id_profiles")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["customer_profiles.id"],
            name=op.f("fk_customer_profiles_merged_into_id_customer_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_profiles")),
    )
    op.create_index(
        "ix_customer_profiles_profile_created", "customer_profiles", ["profile_id", "created_at"]
    )
    op.create_index(
        op.f("ix_customer_profiles_merged_into_id"), "customer_profiles", ["merged_into_id"]
    )
    op.create_table(
        "customer_identifiers",
        sa.Column("id", ID, nullable=False),
        sa.Column("profile_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_customer_identifiers_profile_id_profiles"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer_profiles.id"],
            name=op.f("fk_customer_identifiers_customer_id_customer_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_identifiers")),
        sa.UniqueConstraint(
            "profile_id", "kind", "value", name=op.f("uq_customer_identifiers_profile_id")
        ),
    )
    op.create_index(
        op.f("ix_customer_identifiers_customer_id"), "customer_identifiers", ["customer_id"]
    )
    op.create_index(op.f("ix_customer_identifiers_version"), "customer_identifiers", ["version"])
    op.create_table(
        "identity_merges",
        sa.Column("id", ID, nullable=False),
        sa.Column("profile_id", ID, nullable=False),
        sa.Column("winner_id", ID, nullable=False),
        sa.Column("loser_id", ID, nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("unmerged_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["profile_id"], ["profiles.id"], name=op.f("fk_identity_merges_profile_id_profiles")
        ),
        sa.ForeignKeyConstraint(
            ["winner_id"],
            ["customer_profiles.id"],
            name=op.f("fk_identity_merges_winner_id_customer_profiles"),
        ),
        sa.ForeignKeyConstraint(
            ["loser_id"],
            ["customer_profiles.id"],
            name=op.f("fk_identity_merges_loser_id_customer_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_merges")),
    )
    op.create_index(op.f("ix_identity_merges_profile_id"), "identity_merges", ["profile_id"])


def _create_goals() -> None:
    op.create_table(
        "goals",
        sa.Column("id", ID, nullable=False),
        sa.Column("profile_id", ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source_events", sa.JSON(), nullable=False),
        sa.Column("revenue_type", sa.String(length=16), nullable=False),
        sa.Column("attribution_eligible", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.CheckConstraint(
            "revenue_type IN ('cash', 'pipeline', 'gross')",
            name=op.f("ck_goals_revenue_type_known"),
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"], ["profiles.id"], name=op.f("fk_goals_profile_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("profile_id", "key", name=op.f("uq_goals_profile_id")),
    )
    op.create_index(op.f("ix_goals_profile_id"), "goals", ["profile_id"])
    op.create_table(
        "stage_mappings",
        sa.Column("id", ID, nullable=False),
        sa.Column("profile_id", ID, nullable=False),
        sa.Column("stage", sa.String(length=200), nullable=False),
        sa.Column("goal_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"], ["profiles.id"], name=op.f("fk_stage_mappings_profile_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_mappings")),
        sa.UniqueConstraint("profile_id", "stage", name=op.f("uq_stage_mappings_profile_id")),
    )
    op.create_index(op.f("ix_stage_mappings_profile_id"), "stage_mappings", ["profile_id"])


def _create_fx_rates() -> None:
    op.create_table(
        "fx_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("per_eur", sa.Float(), nullable=False),
        sa.Column("imported_at", TIME, nullable=False),
        sa.CheckConstraint("source IN ('ecb', 'import')", name=op.f("ck_fx_rates_source_known")),
        sa.CheckConstraint("per_eur > 0", name=op.f("ck_fx_rates_positive")),
        sa.PrimaryKeyConstraint("currency", "day", "source", name=op.f("pk_fx_rates")),
    )


def downgrade() -> None:
    op.drop_table("fx_rates")
    op.drop_index(op.f("ix_stage_mappings_profile_id"), table_name="stage_mappings")
    op.drop_table("stage_mappings")
    op.drop_index(op.f("ix_goals_profile_id"), table_name="goals")
    op.drop_table("goals")
    op.drop_index(op.f("ix_identity_merges_profile_id"), table_name="identity_merges")
    op.drop_table("identity_merges")
    op.drop_index(op.f("ix_customer_identifiers_version"), table_name="customer_identifiers")
    op.drop_index(op.f("ix_customer_identifiers_customer_id"), table_name="customer_identifiers")
    op.drop_table("customer_identifiers")
    op.drop_index(op.f("ix_customer_profiles_merged_into_id"), table_name="customer_profiles")
    op.drop_index("ix_customer_profiles_profile_created", table_name="customer_profiles")
    op.drop_table("customer_profiles")
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("phone_region")
        for name, _, _ in reversed(PROFILE_SETTINGS):
            batch.drop_column(name)
