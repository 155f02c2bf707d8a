"""saved_view.unit_id: a saved view carries its scope (the unit it shows)

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("saved_view", sa.Column("unit_id", sa.Integer(), nullable=True))
    op.create_index("ix_saved_view_unit_id", "saved_view", ["unit_id"])
    # Existing views get the unit their code names; a code that no longer exists leaves NULL,
    # and a view without a unit is shown to nobody (default deny).
    op.execute("UPDATE saved_view SET unit_id = (SELECT org_unit.id FROM org_unit "
               "WHERE org_unit.code = saved_view.unit_code)")


def downgrade() -> None:
    op.drop_index("ix_saved_view_unit_id", table_name="saved_view")
    op.drop_column("saved_view", "unit_id")
