"""position_flow, yellow_survival, yellow_summary, assessment_completeness (issue 15)

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
# The brief says "0003" (the lead re-chains); this worktree's head is 0006 and two heads would
# stop `alembic upgrade head`, so it follows 0006 here.
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "position_flow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("from_round", text(length=10), nullable=False),
        sa.Column("from_position", text(length=10), nullable=False),
        sa.Column("to_position", text(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("withheld", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_position_flow_lookup", "position_flow", ["unit_id", "from_round"])
    op.create_table(
        "yellow_survival",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("entry_round", text(length=10), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("at_risk", sa.Integer(), nullable=True),
        sa.Column("still_yellow", sa.Float(), nullable=True),
        sa.Column("withheld", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_yellow_survival_lookup", "yellow_survival", ["unit_id", "entry_round"])
    op.create_table(
        "yellow_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("entry_round", text(length=10), nullable=False),
        sa.Column("entered", sa.Integer(), nullable=True),
        sa.Column("ended", sa.Integer(), nullable=True),
        sa.Column("median_rounds", sa.Float(), nullable=True),
        sa.Column("to_red_share", sa.Float(), nullable=True),
        sa.Column("withheld", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_yellow_summary_lookup", "yellow_summary", ["unit_id", "entry_round"])
    op.create_table(
        "assessment_completeness",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", text(length=10), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=True),
        sa.Column("assessed", sa.Integer(), nullable=True),
        sa.Column("completeness", sa.Float(), nullable=True),
        sa.Column("withheld", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessment_completeness_lookup", "assessment_completeness",
                    ["unit_id", "period"])


def downgrade() -> None:
    for table in ("assessment_completeness", "yellow_summary", "yellow_survival",
                  "position_flow"):
        op.drop_table(table)
