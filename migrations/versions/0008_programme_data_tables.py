"""programme data: language assessments, resource places, support placements

Revision ID: 0008
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "language_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=False),
        sa.Column("language_group", _STR(length=20), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["org_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("child_id", "assessed_on"),
    )
    op.create_index(op.f("ix_language_assessment_child_id"), "language_assessment",
                    ["child_id"], unique=False)
    op.create_index(op.f("ix_language_assessment_institution_id"), "language_assessment",
                    ["institution_id"], unique=False)
    op.create_table(
        "resource_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["institution_id"], ["org_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("institution_id", "valid_from"),
    )
    op.create_index(op.f("ix_resource_places_institution_id"), "resource_places",
                    ["institution_id"], unique=False)
    op.create_table(
        "support_placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("offer", _STR(length=20), nullable=False),
        sa.Column("placed_from", sa.Date(), nullable=False),
        sa.Column("placed_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["org_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("child_id", "placed_from"),
    )
    op.create_index(op.f("ix_support_placement_child_id"), "support_placement",
                    ["child_id"], unique=False)
    op.create_index(op.f("ix_support_placement_institution_id"), "support_placement",
                    ["institution_id"], unique=False)


def downgrade() -> None:
    for table in ("support_placement", "resource_places", "language_assessment"):
        op.drop_table(table)
